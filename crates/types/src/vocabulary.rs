//! The domain's fixed vocabulary: one list for the demo, the metadata facets and search.

/// The industries Closer's content, leads and search speak of (the demo's, the facets').
pub const INDUSTRIES: &[&str] = &[
    "Healthcare",
    "Financial Services",
    "Manufacturing",
    "Retail",
    "Technology",
    "Education",
    "Public Sector",
    "Energy",
    "Logistics",
    "Insurance",
];

/// The buyer personas content is written for and leads' contacts hold.
pub const PERSONAS: &[&str] = &[
    "CFO",
    "CIO",
    "CTO",
    "VP Sales",
    "CRO",
    "Head of Operations",
    "Procurement",
    "CISO",
    "CEO",
    "RevOps Manager",
];
