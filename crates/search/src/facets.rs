//! Item metadata and query facets as bit sets, so matching a query's facets against every
//! item of a 20,000-item library is a few integer operations per item.

use closer_types::ContentKind;

use crate::query::{
    concern_group, facets_of_phrase, neighbouring_personas, year, Facet, ParsedQuery,
};
use crate::text::tokenize;

fn year_bits(years: impl Iterator<Item = u16>) -> u64 {
    years.fold(0, |b, y| b | (1u64 << (y - 2000)))
}

pub use closer_types::{INDUSTRIES, PERSONAS};

pub const CONCERNS: &[&str] = &[
    "ROI",
    "payback",
    "cost savings",
    "TCO",
    "forecast accuracy",
    "pipeline visibility",
    "deal risk",
    "integration",
    "data quality",
    "implementation",
    "onboarding",
    "security",
    "compliance",
    "data residency",
    "SOC 2",
    "pricing",
    "contract terms",
    "growth planning",
    "rep productivity",
];

pub const REGIMES: &[&str] = &[
    "HIPAA",
    "SOC 2",
    "ISO 27001",
    "PCI DSS",
    "FERPA",
    "StateRAMP",
    "FedRAMP",
    "NERC CIP",
    "SOX",
    "GDPR",
];

pub const COMPETITORS: &[&str] = &[
    "Vantage BI",
    "DataForge",
    "Clearpath Analytics",
    "Quantive",
    "NimbusIQ",
    "Stratus Cloud",
    "Helix Metrics",
    "OrbitalOps",
];

fn bit(list: &[&str], name: &str) -> u32 {
    list.iter()
        .position(|x| *x == name)
        .map_or(0, |i| 1u32 << i)
}

/// What an item is about, as bit sets over the lists above. The first industry, persona
/// and topic of an item are its primary ones; the others are often incidental.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ItemFacets {
    pub kind: ContentKind,
    pub industry_primary: u32,
    pub industries: u32,
    pub persona_primary: u32,
    pub personas: u32,
    pub topic_primary: u32,
    pub topics: u32,
    /// Regimes named by a topic or by the text.
    pub regimes: u32,
    /// Competitors named by the text.
    pub competitors: u32,
    /// Years (bit = year - 2000) written in the title.
    pub years: u64,
}

impl ItemFacets {
    pub fn new(
        title: &str,
        kind: ContentKind,
        industries: &[String],
        personas: &[String],
        topics: &[String],
        mentions: &[String],
    ) -> ItemFacets {
        let mut f = ItemFacets {
            kind,
            ..ItemFacets::default()
        };
        for (i, s) in industries.iter().enumerate() {
            for x in facets_of_phrase(s) {
                if let Facet::Industry(n) = x {
                    f.industries |= bit(INDUSTRIES, n);
                    if i == 0 {
                        f.industry_primary |= bit(INDUSTRIES, n);
                    }
                }
            }
        }
        for (i, s) in personas.iter().enumerate() {
            for x in facets_of_phrase(s) {
                if let Facet::Persona(n) = x {
                    f.personas |= bit(PERSONAS, n);
                    if i == 0 {
                        f.persona_primary |= bit(PERSONAS, n);
                    }
                }
            }
        }
        for (i, s) in topics.iter().enumerate() {
            for x in facets_of_phrase(s) {
                match x {
                    Facet::Concern(n) => {
                        f.topics |= bit(CONCERNS, n);
                        if i == 0 {
                            f.topic_primary |= bit(CONCERNS, n);
                        }
                    }
                    Facet::Compliance(n) => f.regimes |= bit(REGIMES, n),
                    _ => {}
                }
            }
        }
        for m in mentions {
            f.regimes |= bit(REGIMES, m);
            f.competitors |= bit(COMPETITORS, m);
        }
        f.years = year_bits(tokenize(title).iter().filter_map(|t| year(&t.lower)));
        f
    }
}

/// The facets of a query, as bit sets.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueryFacets {
    pub kinds: Vec<ContentKind>,
    pub industries: u32,
    pub implied_industries: u32,
    pub personas: u32,
    pub persona_neighbours: u32,
    pub concerns: u32,
    /// Topics in the same group as a named concern (ROI ~ payback ~ TCO ...), and the
    /// security topics when a regime is named.
    pub concern_groups: u32,
    pub regimes: u32,
    pub competitors: u32,
    pub years: u64,
}

impl QueryFacets {
    pub fn new(p: &ParsedQuery) -> QueryFacets {
        let mut q = QueryFacets {
            kinds: p.kinds.clone(),
            ..QueryFacets::default()
        };
        for i in &p.industries {
            q.industries |= bit(INDUSTRIES, i);
        }
        for i in &p.implied_industries {
            q.implied_industries |= bit(INDUSTRIES, i);
        }
        q.implied_industries &= !q.industries;
        for x in &p.personas {
            q.personas |= bit(PERSONAS, x);
            for y in PERSONAS {
                if neighbouring_personas(x, y) {
                    q.persona_neighbours |= bit(PERSONAS, y);
                }
            }
        }
        q.persona_neighbours &= !q.personas;
        let mut groups = Vec::new();
        for c in &p.concerns {
            q.concerns |= bit(CONCERNS, c);
            groups.push(concern_group(c));
        }
        if !p.compliance.is_empty() {
            groups.push(concern_group("security"));
        }
        for t in CONCERNS {
            if groups.contains(&concern_group(t)) {
                q.concern_groups |= bit(CONCERNS, t);
            }
        }
        q.concern_groups &= !q.concerns;
        for r in &p.compliance {
            q.regimes |= bit(REGIMES, r);
        }
        for c in &p.competitors {
            q.competitors |= bit(COMPETITORS, c);
        }
        q.years = year_bits(p.years.iter().copied());
        q
    }

    pub fn is_empty(&self) -> bool {
        *self == QueryFacets::default()
    }
}

/// How strongly each facet of a query matches an item: 1.0 for its primary value,
/// less for a secondary or related one, 0.0 for none.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct FacetMatch {
    pub kind: f32,
    pub industry: f32,
    pub persona: f32,
    pub concern: f32,
    pub regime: f32,
    pub competitor: f32,
    pub year: f32,
}

/// Credit for partial matches (see [`crate::Tuning`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Partial {
    pub secondary: f32,
    pub neighbour: f32,
    pub implied: f32,
    pub topic_secondary: f32,
    pub topic_group: f32,
}

pub fn match_item(q: &QueryFacets, it: &ItemFacets, p: &Partial) -> FacetMatch {
    let level = |primary: u32, all: u32, want: u32| -> f32 {
        if primary & want != 0 {
            1.0
        } else if all & want != 0 {
            p.secondary
        } else {
            0.0
        }
    };
    let kind = if q.kinds.contains(&it.kind) { 1.0 } else { 0.0 };
    let mut industry = level(it.industry_primary, it.industries, q.industries);
    if industry == 0.0 {
        industry = p.implied * level(it.industry_primary, it.industries, q.implied_industries);
    }
    let mut persona = level(it.persona_primary, it.personas, q.personas);
    if persona == 0.0 && it.persona_primary & q.persona_neighbours != 0 {
        persona = p.neighbour;
    }
    let concern = if it.topic_primary & q.concerns != 0 {
        1.0
    } else if it.topics & q.concerns != 0 {
        p.topic_secondary
    } else if it.topics & q.concern_groups != 0 {
        p.topic_group
    } else {
        0.0
    };
    FacetMatch {
        kind,
        industry,
        persona,
        concern,
        regime: if it.regimes & q.regimes != 0 {
            1.0
        } else {
            0.0
        },
        competitor: if it.competitors & q.competitors != 0 {
            1.0
        } else {
            0.0
        },
        year: if it.years & q.years != 0 { 1.0 } else { 0.0 },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::parse_query;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn every_table_name_has_a_bit() {
        for list in [INDUSTRIES, PERSONAS, CONCERNS, REGIMES, COMPETITORS] {
            assert!(list.len() <= 32);
        }
        let p = parse_query(
            "hipaa soc 2 iso 27001 pci ferpa stateramp fedramp nerc sox gdpr \
             vantage bi dataforge clearpath quantive nimbusiq stratus cloud helix metrics orbitalops",
        );
        assert_eq!(p.compliance.len(), REGIMES.len());
        assert_eq!(p.competitors.len(), COMPETITORS.len());
        for r in &p.compliance {
            assert_ne!(bit(REGIMES, r), 0, "{r}");
        }
    }

    #[test]
    fn primary_values_count_more_than_secondary_ones() {
        let it = ItemFacets::new(
            "Meridian Health pays back Lumora in 3 months",
            ContentKind::CaseStudy,
            &s(&["Healthcare", "Energy"]),
            &s(&["CFO"]),
            &s(&["ROI", "payback"]),
            &s(&["HIPAA", "Vantage BI"]),
        );
        let partial = Partial {
            secondary: 0.5,
            neighbour: 0.3,
            implied: 0.5,
            topic_secondary: 0.7,
            topic_group: 0.4,
        };
        let q = QueryFacets::new(&parse_query("case studies for healthcare CFOs about ROI"));
        let m = match_item(&q, &it, &partial);
        assert_eq!(
            (m.kind, m.industry, m.persona, m.concern),
            (1.0, 1.0, 1.0, 1.0)
        );
        let q = QueryFacets::new(&parse_query("energy procurement TCO deck"));
        let m = match_item(&q, &it, &partial);
        assert_eq!(
            (m.kind, m.industry, m.persona, m.concern),
            (0.0, 0.5, 0.3, 0.4)
        );
        let q = QueryFacets::new(&parse_query("HIPAA proof vs Vantage BI"));
        let m = match_item(&q, &it, &partial);
        assert_eq!((m.industry, m.regime, m.competitor), (0.5, 1.0, 1.0));
    }
}
