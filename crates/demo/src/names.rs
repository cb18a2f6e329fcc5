//! Word lists: industries, personas, people and company names.

use std::collections::HashSet;

use crate::util::{slug, Gen};

pub use closer_types::{INDUSTRIES, PERSONAS};

/// Job titles a contact with a persona may hold.
pub fn titles_for(persona: &str) -> &'static [&'static str] {
    match persona {
        "CFO" => &[
            "Chief Financial Officer",
            "CFO",
            "VP Finance",
            "Finance Director",
        ],
        "CIO" => &[
            "Chief Information Officer",
            "CIO",
            "VP Information Technology",
        ],
        "CTO" => &["Chief Technology Officer", "CTO", "VP Engineering"],
        "VP Sales" => &[
            "VP Sales",
            "Vice President of Sales",
            "Head of Sales",
            "Regional Sales Director",
        ],
        "CRO" => &["Chief Revenue Officer", "CRO", "SVP Revenue"],
        "Head of Operations" => &[
            "Head of Operations",
            "COO",
            "VP Operations",
            "Director of Sales Operations",
        ],
        "Procurement" => &[
            "Procurement Manager",
            "Head of Procurement",
            "Strategic Sourcing Lead",
        ],
        "CISO" => &[
            "CISO",
            "Chief Information Security Officer",
            "Director of Security",
        ],
        "CEO" => &[
            "CEO",
            "Chief Executive Officer",
            "Founder & CEO",
            "President",
        ],
        _ => &[
            "RevOps Manager",
            "Revenue Operations Manager",
            "Director of Revenue Operations",
            "Sales Operations Analyst",
        ],
    }
}

pub const FIRST_NAMES: &[&str] = &[
    "Emma",
    "Liam",
    "Olivia",
    "Noah",
    "Ava",
    "Ethan",
    "Sophia",
    "Mason",
    "Isabella",
    "Lucas",
    "Mia",
    "Aiden",
    "Harper",
    "Elijah",
    "Amelia",
    "James",
    "Charlotte",
    "Benjamin",
    "Evelyn",
    "Daniel",
    "Abigail",
    "Henry",
    "Emily",
    "Samuel",
    "Grace",
    "David",
    "Chloe",
    "Joseph",
    "Victoria",
    "Carter",
    "Hannah",
    "Wyatt",
    "Zoe",
    "Owen",
    "Nora",
    "Julian",
    "Leah",
    "Gabriel",
    "Aria",
    "Isaac",
    "Maya",
    "Caleb",
    "Layla",
    "Nathan",
    "Riley",
    "Ryan",
    "Priya",
    "Arjun",
    "Mei",
    "Wei",
    "Hiroshi",
    "Yuki",
    "Fatima",
    "Omar",
    "Aisha",
    "Kwame",
    "Amara",
    "Chidi",
    "Sofia",
    "Mateo",
    "Valentina",
    "Diego",
    "Camila",
    "Luis",
    "Ingrid",
    "Lars",
    "Freya",
    "Anders",
    "Siobhan",
    "Declan",
    "Rachel",
    "Marcus",
    "Tanya",
    "Andre",
    "Keisha",
    "Rohan",
    "Ananya",
    "Tomasz",
    "Katarzyna",
    "Elena",
    "Dmitri",
    "Nadia",
    "Hassan",
    "Leila",
    "Jonah",
    "Miriam",
    "Grant",
    "Paige",
    "Trevor",
    "Monica",
    "Derek",
    "Alicia",
    "Brandon",
    "Heather",
    "Kevin",
    "Laura",
];

pub const LAST_NAMES: &[&str] = &[
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Perez",
    "Thompson",
    "White",
    "Harris",
    "Sanchez",
    "Clark",
    "Ramirez",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Torres",
    "Nguyen",
    "Hill",
    "Flores",
    "Green",
    "Adams",
    "Nelson",
    "Baker",
    "Hall",
    "Patel",
    "Shah",
    "Kapoor",
    "Iyer",
    "Chen",
    "Wang",
    "Liu",
    "Zhang",
    "Tanaka",
    "Sato",
    "Kim",
    "Park",
    "Okafor",
    "Mensah",
    "Adeyemi",
    "Haddad",
    "Khan",
    "Rahman",
    "Novak",
    "Kowalski",
    "Petrov",
    "Ivanova",
    "Larsen",
    "Johansson",
    "Lindqvist",
    "Muller",
    "Schmidt",
    "Rossi",
    "Bianchi",
    "Dubois",
    "Moreau",
    "Silva",
    "Costa",
    "Murphy",
    "OBrien",
    "Kelly",
    "Sullivan",
    "Fitzgerald",
    "Campbell",
    "Stewart",
    "Morgan",
    "Reyes",
    "Cruz",
    "Ortiz",
    "Bennett",
    "Hayes",
];

const NAME_HEADS: &[&str] = &[
    "Meridian",
    "Northwind",
    "Blue Harbor",
    "Silver Ridge",
    "Crestview",
    "Summit",
    "Ironwood",
    "Cedar Point",
    "Lakeshore",
    "Redstone",
    "Granite",
    "Harborview",
    "Pinecrest",
    "Brightline",
    "Evergreen",
    "Keystone",
    "Riverbend",
    "Stonebridge",
    "Westfield",
    "Oakmont",
    "Bayside",
    "Highland",
    "Copperfield",
    "Falcon",
    "Beacon",
    "Pioneer",
    "Sterling",
    "Atlas",
    "Horizon",
    "Vanguard",
    "Clearwater",
    "Maple Grove",
    "Fairmont",
    "Hollis",
    "Castellan",
    "Nordvik",
    "Aurora",
    "Sequoia",
    "Tidewater",
    "Windham",
    "Ashford",
    "Bellweather",
    "Cobalt",
    "Driftwood",
    "Eastgate",
    "Foxhall",
    "Goldcrest",
    "Hawthorne",
    "Juniper",
    "Kingsley",
    "Larkspur",
    "Mariner",
    "Northstar",
    "Orchard",
    "Prairie",
    "Quarry",
    "Rockport",
    "Saltmarsh",
    "Thornbury",
    "Upland",
    "Valemont",
    "Whitmore",
    "Yellowpine",
    "Zenith",
    "Alder",
    "Briarwood",
    "Canyon",
    "Dunmore",
    "Elmhurst",
    "Fieldstone",
    "Glenview",
    "Halcyon",
    "Inverness",
    "Jasper",
    "Kestrel",
    "Lighthouse",
    "Mosaic",
    "Newhaven",
    "Osprey",
    "Paragon",
    "Radiant",
    "Solstice",
    "Trident",
    "Unity",
    "Verdant",
    "Willowbrook",
    "Arbor",
    "Bramble",
    "Catalina",
    "Delta",
    "Ember",
    "Frontier",
];

const NAME_MIDS: &[&str] = &[
    "",
    "",
    "",
    "",
    "",
    "",
    "North",
    "West",
    "Pacific",
    "Atlantic",
    "Great Lakes",
    "Continental",
    "United",
    "American",
    "Coastal",
    "Central",
    "Southern",
    "First",
    "Premier",
    "Allied",
];

/// Industry-specific last words of a company name.
fn name_tails(industry: &str) -> &'static [&'static str] {
    match industry {
        "Healthcare" => &[
            "Health",
            "Medical Group",
            "Health System",
            "Clinics",
            "Diagnostics",
            "Care Partners",
            "Biosciences",
            "Hospital Network",
        ],
        "Financial Services" => &[
            "Bank",
            "Capital",
            "Financial",
            "Credit Union",
            "Wealth Partners",
            "Securities",
            "Lending",
            "Trust",
        ],
        "Manufacturing" => &[
            "Manufacturing",
            "Industries",
            "Components",
            "Precision",
            "Fabrication",
            "Machine Works",
            "Materials",
            "Plastics",
        ],
        "Retail" => &[
            "Outfitters",
            "Market",
            "Goods",
            "Home",
            "Apparel",
            "Supply Co",
            "Brands",
            "Grocers",
        ],
        "Technology" => &[
            "Software",
            "Systems",
            "Labs",
            "Networks",
            "Cloud",
            "Data",
            "Technologies",
            "Digital",
        ],
        "Education" => &[
            "Learning",
            "University",
            "Academy",
            "Education Group",
            "College",
            "Schools",
            "EdTech",
            "Institute",
        ],
        "Public Sector" => &[
            "County Services",
            "Transit Authority",
            "Utilities District",
            "City Services",
            "Port Authority",
            "Water District",
            "Housing Authority",
            "Public Works",
        ],
        "Energy" => &[
            "Energy",
            "Power",
            "Solar",
            "Renewables",
            "Utilities",
            "Petroleum",
            "Wind",
            "Grid",
        ],
        "Logistics" => &[
            "Logistics",
            "Freight",
            "Shipping",
            "Transport",
            "Distribution",
            "Carriers",
            "Fulfillment",
            "Supply Chain",
        ],
        _ => &[
            "Insurance",
            "Mutual",
            "Assurance",
            "Underwriters",
            "Risk Partners",
            "Casualty",
            "Life",
            "Benefits",
        ],
    }
}

const REGIONS: &[&str] = &[
    "Texas",
    "Ohio",
    "Oregon",
    "Georgia",
    "Arizona",
    "Colorado",
    "Virginia",
    "Michigan",
    "Florida",
    "Illinois",
    "New England",
    "the Midwest",
    "the Carolinas",
    "Canada",
    "Europe",
    "Iberia",
    "Scandinavia",
    "Australia",
    "New Jersey",
    "Nevada",
    "Utah",
    "Tennessee",
    "Minnesota",
    "Iowa",
];

const TLDS: &[&str] = &["com", "com", "com", "com", "io", "co", "net", "org"];

/// Hands out unique company names and domains.
#[derive(Default)]
pub struct CompanyNamer {
    names: HashSet<String>,
    domains: HashSet<String>,
}

impl CompanyNamer {
    /// Keeps `names` out of what [`CompanyNamer::next`] hands out.
    pub fn reserve(&mut self, names: &[&str]) {
        for n in names {
            self.names.insert(n.to_string());
        }
    }

    /// A new, unique `(company, domain)` in the industry.
    pub fn next(&mut self, g: &mut Gen, industry: &str) -> (String, String) {
        let tails = name_tails(industry);
        let mut attempt = 0u32;
        let name = loop {
            let head = g.pick(NAME_HEADS);
            let mid = if attempt >= 2 || g.chance(0.25) {
                g.pick(NAME_MIDS)
            } else {
                &""
            };
            let tail = g.pick(tails);
            let mut name = if mid.is_empty() {
                format!("{head} {tail}")
            } else {
                format!("{head} {mid} {tail}")
            };
            if attempt >= 40 {
                // The word lists are exhausted for this industry: number the name.
                name = format!("{name} {}", attempt - 38);
            } else if attempt >= 12 {
                name = format!("{name} of {}", g.pick(REGIONS));
            }
            if !self.names.contains(&name) {
                break name;
            }
            attempt += 1;
        };
        self.names.insert(name.clone());
        let base = slug(&name);
        let mut tld_try = 0;
        let domain = loop {
            let tld = if tld_try == 0 {
                g.pick(TLDS).to_string()
            } else {
                TLDS[tld_try % TLDS.len()].to_string()
            };
            let d = if tld_try < TLDS.len() {
                format!("{base}.{tld}")
            } else {
                format!("{base}{tld_try}.com")
            };
            if !self.domains.contains(&d) {
                break d;
            }
            tld_try += 1;
        };
        self.domains.insert(domain.clone());
        (name, domain)
    }
}

/// A random person's `(first, last)` name.
pub fn person(g: &mut Gen) -> (&'static str, &'static str) {
    (*g.pick(FIRST_NAMES), *g.pick(LAST_NAMES))
}

/// Display form of a last name ("OBrien" -> "O'Brien").
pub fn display_last(last: &str) -> String {
    if last == "OBrien" {
        "O'Brien".to_string()
    } else {
        last.to_string()
    }
}

const AREA_CODES: &[&str] = &[
    "415", "212", "312", "617", "206", "512", "303", "404", "305", "646", "213", "469", "480",
    "503", "614", "615", "704", "720", "773", "857",
];

/// A fictional North American number (555-01xx is reserved for fiction).
pub fn phone(g: &mut Gen) -> String {
    format!("+1 {} 555 01{:02}", g.pick(AREA_CODES), g.int(0, 99))
}
