//! Header row to CRM format and column mappings.

use closer_types::{ColumnMapping, CrmFormat, LeadField};

use crate::values::squash;

/// Which status vocabulary a status column speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StatusKind {
    LeadStatus,
    Lifecycle,
}

/// Known header (squashed) -> field, with a rank: when several columns fill one field, the
/// first non-empty cell in rank order wins (e.g. "Phone" before "Mobile").
const ALIASES: &[(&str, LeadField, u8)] = &[
    ("company", LeadField::Company, 0),
    ("companyname", LeadField::Company, 0),
    ("accountname", LeadField::Company, 1),
    ("account", LeadField::Company, 2),
    ("website", LeadField::Domain, 0),
    ("websiteurl", LeadField::Domain, 0),
    ("companydomainname", LeadField::Domain, 0),
    ("domain", LeadField::Domain, 1),
    ("url", LeadField::Domain, 2),
    ("industry", LeadField::Industry, 0),
    ("noofemployees", LeadField::EmployeeCount, 0),
    ("numberofemployees", LeadField::EmployeeCount, 0),
    ("employees", LeadField::EmployeeCount, 1),
    ("firstname", LeadField::ContactFirstName, 0),
    ("lastname", LeadField::ContactLastName, 0),
    ("fullname", LeadField::ContactFullName, 0),
    ("contactname", LeadField::ContactFullName, 1),
    ("name", LeadField::ContactFullName, 2),
    ("title", LeadField::ContactTitle, 0),
    ("jobtitle", LeadField::ContactTitle, 0),
    ("email", LeadField::ContactEmail, 0),
    ("emailaddress", LeadField::ContactEmail, 0),
    ("phone", LeadField::ContactPhone, 0),
    ("phonenumber", LeadField::ContactPhone, 0),
    ("mobile", LeadField::ContactPhone, 1),
    ("mobilephone", LeadField::ContactPhone, 1),
    ("mobilephonenumber", LeadField::ContactPhone, 1),
    ("leadsource", LeadField::Source, 0),
    ("originalsource", LeadField::Source, 1),
    ("source", LeadField::Source, 2),
    ("leadstatus", LeadField::Status, 0),
    ("status", LeadField::Status, 0),
    ("lifecyclestage", LeadField::Status, 1),
    ("leadowner", LeadField::Owner, 0),
    ("contactowner", LeadField::Owner, 0),
    ("companyowner", LeadField::Owner, 0),
    ("ownername", LeadField::Owner, 0),
    ("owner", LeadField::Owner, 1),
    ("ownerid", LeadField::Owner, 2),
];

/// Headers only Salesforce writes (report/list exports and Data Loader API names).
const SALESFORCE_MARKERS: &[&str] = &[
    "leadid",
    "leadowner",
    "leadsource",
    "noofemployees",
    "mobilephone",
    "ownerid",
    "ownername",
    "statusprovince",
    "zippostalcode",
    "createddate",
    "annualrevenue",
    "rating",
    "id",
];

/// Headers only HubSpot writes (contact and company exports).
const HUBSPOT_MARKERS: &[&str] = &[
    "recordid",
    "contactowner",
    "companyowner",
    "lifecyclestage",
    "companydomainname",
    "phonenumber",
    "mobilephonenumber",
    "jobtitle",
    "websiteurl",
    "originalsource",
    "createdate",
    "companyname",
];

/// One mapped field: the columns that fill it, best first.
#[derive(Debug, Clone)]
pub(crate) struct FieldColumns {
    pub field: LeadField,
    /// (column index, status vocabulary for status columns)
    pub columns: Vec<(usize, Option<StatusKind>)>,
}

/// What the header row tells.
#[derive(Debug, Clone)]
pub(crate) struct Layout {
    pub format: CrmFormat,
    pub mappings: Vec<ColumnMapping>,
    pub ignored: Vec<String>,
    pub fields: Vec<FieldColumns>,
}

impl Layout {
    pub fn columns_for(&self, field: LeadField) -> &[(usize, Option<StatusKind>)] {
        self.fields
            .iter()
            .find(|f| f.field == field)
            .map_or(&[], |f| f.columns.as_slice())
    }

    pub fn has(&self, field: LeadField) -> bool {
        !self.columns_for(field).is_empty()
    }
}

pub(crate) fn detect_format(squashed: &[String]) -> CrmFormat {
    let score = |markers: &[&str]| {
        squashed
            .iter()
            .filter(|h| markers.contains(&h.as_str()))
            .count()
    };
    let (sf, hs) = (score(SALESFORCE_MARKERS), score(HUBSPOT_MARKERS));
    if sf == 0 && hs == 0 {
        CrmFormat::Generic
    } else if hs > sf {
        CrmFormat::Hubspot
    } else if sf > hs {
        CrmFormat::Salesforce
    } else {
        CrmFormat::Generic
    }
}

/// Maps a header row. `None` when not one cell is a column Closer knows (no header row).
pub(crate) fn layout(headers: &[String]) -> Option<Layout> {
    let squashed: Vec<String> = headers.iter().map(|h| squash(h)).collect();
    let format = detect_format(&squashed);
    let mut mappings = Vec::with_capacity(headers.len());
    let mut ignored = Vec::new();
    let mut ranked: Vec<(LeadField, u8, usize, Option<StatusKind>)> = Vec::new();
    for (i, (header, key)) in headers.iter().zip(&squashed).enumerate() {
        let hit = ALIASES.iter().find(|(alias, _, _)| alias == key);
        let field = hit.map(|&(_, field, rank)| {
            let kind = (field == LeadField::Status).then(|| {
                if key == "lifecyclestage" {
                    StatusKind::Lifecycle
                } else {
                    StatusKind::LeadStatus
                }
            });
            ranked.push((field, rank, i, kind));
            field
        });
        if field.is_none() {
            ignored.push(header.clone());
        }
        mappings.push(ColumnMapping {
            column: i as u32 + 1,
            header: header.clone(),
            field,
        });
    }
    if ranked.is_empty() {
        return None;
    }
    ranked.sort_by_key(|&(_, rank, i, _)| (rank, i));
    let mut fields: Vec<FieldColumns> = Vec::new();
    for (field, _, i, kind) in ranked {
        match fields.iter_mut().find(|f| f.field == field) {
            Some(f) => f.columns.push((i, kind)),
            None => fields.push(FieldColumns {
                field,
                columns: vec![(i, kind)],
            }),
        }
    }
    Some(Layout {
        format,
        mappings,
        ignored,
        fields,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn formats() {
        let cases: &[(&[&str], CrmFormat)] = &[
            (
                &["Lead ID", "First Name", "Company", "Lead Owner"],
                CrmFormat::Salesforce,
            ),
            (
                &["FirstName", "LastName", "Company", "OwnerId"],
                CrmFormat::Salesforce,
            ),
            (
                &["Record ID", "First Name", "Company Name", "Contact owner"],
                CrmFormat::Hubspot,
            ),
            (
                &["Record ID", "Company name", "Company Domain Name"],
                CrmFormat::Hubspot,
            ),
            (&["Company", "Email"], CrmFormat::Generic),
        ];
        for (headers, want) in cases {
            let squashed: Vec<String> = headers.iter().map(|h| squash(h)).collect();
            assert_eq!(detect_format(&squashed), *want, "{headers:?}");
        }
    }

    #[test]
    fn phone_before_mobile_whatever_the_order() {
        let l = layout(&strings(&["Mobile", "Company", "Phone"]));
        let cols: Vec<usize> = l
            .as_ref()
            .map(|l| {
                l.columns_for(LeadField::ContactPhone)
                    .iter()
                    .map(|c| c.0)
                    .collect()
            })
            .unwrap_or_default();
        assert_eq!(cols, vec![2, 0]);
    }

    #[test]
    fn no_known_column_is_no_header() {
        assert!(layout(&strings(&["Acme", "john@acme.com"])).is_none());
    }
}
