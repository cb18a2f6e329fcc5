use std::io::Write;
use std::time::{Duration, Instant};

use anyhow::Result;
use closer_store::{content, leads, search, Store};
use closer_types::{now_millis, LeadQuery, LeadSort, SortDir};

use crate::pct;

const LEADS: usize = 100_000;
const CONTENT: usize = 20_000;

pub fn run() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let now = now_millis();
    println!(
        "closer-bench data (release build, SQLite files in {})",
        dir.path().display()
    );

    // ---- first page of leads from a 100K-lead database ----
    let store = Store::open(&dir.path().join("leads.db"))?;
    let drafts = closer_demo::bulk_leads(7, LEADS, now);
    store.write(|tx| leads::insert_many(tx, &drafts, now, &mut |_| {}))?;
    for (label, sort, dir_) in [
        ("newest first", LeadSort::UpdatedAt, SortDir::Desc),
        ("by company", LeadSort::Company, SortDir::Asc),
        ("by score", LeadSort::Score, SortDir::Desc),
    ] {
        let query = LeadQuery {
            sort,
            dir: dir_,
            limit: 50,
            ..Default::default()
        };
        let mut samples = Vec::new();
        for _ in 0..200 {
            let started = Instant::now();
            let page = store.read(|c| leads::list(c, &query))?;
            samples.push(started.elapsed());
            anyhow::ensure!(page.items.len() == 50 && page.total as usize == LEADS);
        }
        println!(
            "leads first page (50 of {LEADS}, {label}): p50 {:.2} ms, p95 {:.2} ms (goal p95 <= 10 ms)",
            pct(&mut samples, 0.5),
            pct(&mut samples, 0.95)
        );
    }
    // Emails are matched by a scan of the contacts (they are not in the index).
    let email = drafts[LEADS / 2]
        .contacts
        .first()
        .and_then(|c| c.email.clone())
        .unwrap_or_default();
    let mut samples = Vec::new();
    for _ in 0..50 {
        let started = Instant::now();
        let hits = store.read(|c| search::search(c, &email, 20))?;
        samples.push(started.elapsed());
        anyhow::ensure!(!hits.is_empty(), "no lead found by {email}");
    }
    println!(
        "search by a contact's email over {LEADS} leads: p50 {:.2} ms, p95 {:.2} ms",
        pct(&mut samples, 0.5),
        pct(&mut samples, 0.95)
    );
    drop(store);

    // ---- lexical search over 20K content items ----
    let store = Store::open(&dir.path().join("content.db"))?;
    let items = closer_demo::bulk_content(11, CONTENT, now);
    store.write(|tx| {
        for item in &items {
            content::insert(tx, item)?;
        }
        Ok(())
    })?;
    let queries = [
        "healthcare CFO ROI",
        "case study",
        "security SOC 2",
        "pricing",
        "forecast accuracy",
        "manufacturing",
        "implementation timeline",
        "integration salesforce",
        "payback",
        "retail CRO",
        "HIPAA compliance",
        "cost savings",
        "onboarding",
        "email template",
        "quantive",
        "total cost of ownership",
        "procurement",
        "energy utilities",
        "insurance claims",
        "data quality",
        "\"AND (",
        "*",
        "NEAR",
        "🚀",
        "revenue operations",
        "public sector",
        "logistics",
        "whitepaper",
        "ROI calculator",
        "board deck",
    ];
    let mut samples = Vec::new();
    let mut found = 0usize;
    for _ in 0..10 {
        for q in queries {
            let started = Instant::now();
            let hits = store.read(|c| search::search(c, q, 20))?;
            samples.push(started.elapsed());
            found += hits.len();
        }
    }
    println!(
        "lexical search over {CONTENT} content items ({} queries): p50 {:.2} ms, p95 {:.2} ms, max {:.2} ms (goal p95 <= 20 ms); {} hits",
        samples.len(),
        pct(&mut samples, 0.5),
        pct(&mut samples, 0.95),
        pct(&mut samples, 1.0),
        found
    );
    drop(store);

    // ---- CSV import of 100K leads (Salesforce export format) ----
    let csv_path = dir.path().join("salesforce-leads.csv");
    write_salesforce_csv(&csv_path, &drafts)?;
    let size_mb = std::fs::metadata(&csv_path)?.len() as f64 / 1e6;
    let store = Store::open(&dir.path().join("import.db"))?;
    let started = Instant::now();
    let parsed = closer_import::parse(&csv_path)?;
    let parse_time = started.elapsed();
    let imported = store.write(|tx| leads::insert_many(tx, &parsed.leads, now, &mut |_| {}))?;
    let total = started.elapsed();
    println!(
        "CSV import of {} rows ({size_mb:.1} MB, {} leads): {:.0} ms total (parse {:.0} ms, insert {:.0} ms) (goal <= 3000 ms)",
        parsed.rows,
        imported,
        ms(total),
        ms(parse_time),
        ms(total - parse_time)
    );
    Ok(())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn write_salesforce_csv(path: &std::path::Path, drafts: &[closer_types::LeadDraft]) -> Result<()> {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    writeln!(
        out,
        "Lead ID,First Name,Last Name,Title,Company,Email,Phone,Website,Industry,No. of Employees,Lead Source,Lead Status,Lead Owner"
    )?;
    for (i, d) in drafts.iter().enumerate() {
        let c = d.contacts.first().cloned().unwrap_or_default();
        let (first, last) = c.name.split_once(' ').unwrap_or((c.name.as_str(), ""));
        let q = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
        writeln!(
            out,
            "00Q{:012},{},{},{},{},{},{},{},{},{},{},Open - Not Contacted,{}",
            i,
            q(first),
            q(last),
            q(c.title.as_deref().unwrap_or("")),
            q(&d.company),
            c.email.as_deref().unwrap_or(""),
            q(c.phone.as_deref().unwrap_or("")),
            d.domain
                .as_deref()
                .map(|x| format!("https://www.{x}"))
                .unwrap_or_default(),
            q(d.industry.as_deref().unwrap_or("")),
            d.employee_count.unwrap_or(0),
            q(d.source.as_deref().unwrap_or("Web")),
            q(d.owner.as_deref().unwrap_or("Alex Rivera")),
        )?;
    }
    out.flush()?;
    Ok(())
}
