//! The five real-world seed checklists in `../shared/seeds` must parse with every item
//! and section. CI always has that folder; elsewhere `CHECKDOWN_SEEDS` may point at it.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic here is a test failure, not a user-facing crash

use std::path::PathBuf;

use checkdown_core::{Checklist, ItemKind, Parsed, parse};

const SEEDS: [&str; 5] = [
    "000_e908c39efd9e3739.txt",
    "001_a08f19cd4fa65d26.txt",
    "002_fb288308efe964cd.txt",
    "003_0e905b31ca48a9be.txt",
    "004_836b66d284f4ca17.txt",
];

fn seeds_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("CHECKDOWN_SEEDS") {
        return Some(PathBuf::from(dir));
    }
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/seeds");
    dir.is_dir().then_some(dir)
}

fn seed(name: &str) -> Option<Checklist> {
    seed_parsed(name).map(|p| {
        let errors: Vec<_> = p.errors().map(ToString::to_string).collect();
        assert!(errors.is_empty(), "{name}: {errors:?}");
        p.checklist.unwrap()
    })
}

fn seed_parsed(name: &str) -> Option<Parsed> {
    let Some(dir) = seeds_dir() else {
        // On CI a missing seed folder is a broken checkout, not a reason to pass.
        assert!(
            std::env::var_os("CI").is_none(),
            "seed folder ../shared/seeds is missing"
        );
        eprintln!("skipping: no seed folder (set CHECKDOWN_SEEDS)");
        return None;
    };
    let path = dir.join(name);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    Some(parse("seed", &bytes))
}

fn top_sections(c: &Checklist) -> Vec<&str> {
    c.sections.iter().map(|s| s.title.as_str()).collect()
}

fn subsections<'a>(c: &'a Checklist, top: &str) -> Vec<&'a str> {
    let section = c.sections.iter().find(|s| s.title == top).unwrap();
    section.sections.iter().map(|s| s.title.as_str()).collect()
}

fn assert_unique_ids(c: &Checklist) {
    let mut ids: Vec<_> = c.all_items().iter().map(|i| i.id.clone()).collect();
    let total = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), total, "item ids must be unique");
}

#[test]
fn seed_000_has_171_items_in_eight_sections() {
    let Some(c) = seed("000_e908c39efd9e3739.txt") else {
        return;
    };
    assert_eq!(c.title, "Production Deployment Checklist");
    assert_eq!(c.item_count(), 171);
    assert_eq!(c.all_items().iter().filter(|i| i.checked).count(), 0);
    assert_eq!(
        top_sections(&c),
        [
            "Pre-Deployment",
            "Deployment Steps",
            "Post-Deployment",
            "Rollback Plan",
            "Security Hardening",
            "Performance Tuning",
            "Compliance & Legal",
            "Final Sign-Off"
        ]
    );
    assert_eq!(
        subsections(&c, "Deployment Steps"),
        [
            "1. Pre-Deployment Validation",
            "2. Deployment",
            "3. Post-Deployment Validation",
            "4. Smoke Tests"
        ]
    );
    assert_unique_ids(&c);
}

#[test]
fn seed_001_has_122_items_and_front_metadata() {
    let Some(c) = seed("001_a08f19cd4fa65d26.txt") else {
        return;
    };
    assert_eq!(c.item_count(), 122);
    let meta: Vec<_> = c
        .meta
        .iter()
        .map(|m| (m.key.as_str(), m.value.as_str()))
        .collect();
    assert_eq!(
        meta,
        [
            ("Date", "October 26, 2025"),
            ("Status", "Ready for Production"),
            ("Version", "1.0.0")
        ]
    );
    assert_eq!(
        top_sections(&c),
        [
            "Pre-Deployment Verification",
            "Integration Testing",
            "Performance Profiling",
            "Security Hardening",
            "Deployment Steps",
            "Monitoring & Alerting",
            "Rollback Procedure",
            "Post-Deployment",
            "Maintenance Schedule",
            "Emergency Contacts",
            "Sign-off"
        ]
    );
    assert_eq!(
        subsections(&c, "Maintenance Schedule"),
        ["Daily", "Weekly", "Monthly", "Quarterly"]
    );
    assert_unique_ids(&c);
}

#[test]
fn seed_002_has_177_items() {
    let Some(c) = seed("002_fb288308efe964cd.txt") else {
        return;
    };
    assert_eq!(c.item_count(), 177);
    assert_eq!(
        top_sections(&c),
        [
            "Pre-Deployment",
            "Infrastructure",
            "Deployment",
            "Security Hardening",
            "Monitoring & Alerting",
            "Disaster Recovery",
            "Documentation",
            "Sign-Off",
            "Deployment Date",
            "Post-Deployment Review",
            "Notes"
        ]
    );
    assert_unique_ids(&c);
}

#[test]
fn seed_003_has_150_items_with_5_prechecked() {
    let Some(c) = seed("003_0e905b31ca48a9be.txt") else {
        return;
    };
    assert_eq!(c.item_count(), 150);
    assert_eq!(c.all_items().iter().filter(|i| i.checked).count(), 5);
    assert_eq!(
        subsections(&c, "Sign-Off"),
        [
            "Development Team",
            "Operations Team",
            "Security Team",
            "Management"
        ]
    );
    assert_eq!(top_sections(&c).len(), 14);
    assert_eq!(top_sections(&c)[13], "Sign-Off");
    assert_unique_ids(&c);
}

#[test]
fn seed_004_has_99_items_and_keeps_its_code_blocks() {
    let Some(c) = seed("004_836b66d284f4ca17.txt") else {
        return;
    };
    assert_eq!(c.item_count(), 99);
    assert_eq!(
        subsections(&c, "Sign-Off"),
        ["Deployment Approval", "Post-Deployment Verification"]
    );
    assert_eq!(
        subsections(&c, "Useful Commands"),
        [
            "Check Application Status",
            "View Logs",
            "Database Operations",
            "Redis Operations"
        ]
    );
    let code_blocks = c
        .all_sections()
        .iter()
        .flat_map(|s| &s.blocks)
        .filter(|b| matches!(b, checkdown_core::Block::Code { .. }))
        .count();
    assert!(
        code_blocks >= 4,
        "expected the Useful Commands code blocks, got {code_blocks}"
    );
    assert_unique_ids(&c);
}

fn signoff_roles(c: &Checklist) -> Vec<String> {
    c.all_items()
        .iter()
        .filter(|i| i.kind == ItemKind::Signoff)
        .map(|i| i.role.clone().unwrap_or_default())
        .collect()
}

#[test]
fn every_seed_has_a_recognised_signoff_form() {
    let expected: [(&str, &[&str]); 5] = [
        (
            "000_e908c39efd9e3739.txt",
            &[
                "Team lead approval",
                "Security review completed",
                "Performance benchmarks met",
                "Disaster recovery plan tested",
                "Runbook reviewed",
                "All stakeholders notified",
            ],
        ),
        (
            "001_a08f19cd4fa65d26.txt",
            &[
                "Backend Lead",
                "Frontend Lead",
                "DevOps Lead",
                "Security Lead",
                "Product Manager",
            ],
        ),
        (
            "002_fb288308efe964cd.txt",
            &[
                "Technical Lead Approval",
                "Security Team Approval",
                "Operations Team Approval",
                "Product Owner Approval",
            ],
        ),
        (
            "003_0e905b31ca48a9be.txt",
            &[
                "Code reviewed",
                "Tests passing",
                "Documentation updated",
                "Security review completed",
                "Infrastructure ready",
                "Monitoring configured",
                "Backups configured",
                "DR plan tested",
                "Security scan completed",
                "Vulnerabilities addressed",
                "Compliance verified",
                "Penetration test passed",
                "Deployment approved",
                "Rollback plan approved",
                "Budget approved",
                "Timeline approved",
            ],
        ),
        (
            "004_836b66d284f4ca17.txt",
            &[
                "Engineering Lead",
                "DevOps Lead",
                "Security Review",
                "Deployment Successful",
                "Monitoring Verified",
                "No Critical Issues",
            ],
        ),
    ];
    for (name, roles) in expected {
        let Some(c) = seed(name) else { return };
        assert_eq!(signoff_roles(&c), roles, "{name}");
        for item in c.all_items().iter().filter(|i| i.kind == ItemKind::Signoff) {
            assert!(
                item.fields
                    .iter()
                    .any(|f| f.kind == checkdown_core::FieldKind::Name),
                "{name}: sign-off {} has no name field",
                item.id
            );
        }
    }
}

#[test]
fn seed_004_signoffs_carry_name_and_date_fields() {
    let Some(c) = seed("004_836b66d284f4ca17.txt") else {
        return;
    };
    let lead = c
        .all_items()
        .into_iter()
        .find(|i| i.role.as_deref() == Some("Engineering Lead"))
        .unwrap();
    let kinds: Vec<_> = lead
        .fields
        .iter()
        .map(|f| (f.label.as_str(), f.kind))
        .collect();
    use checkdown_core::FieldKind::*;
    assert_eq!(kinds, [("Name", Name), ("Date", Date)]);
}

#[test]
fn run_level_fields_of_the_seeds_are_recognised() {
    use checkdown_core::FieldKind::*;
    let cases: [(&str, &[(&str, checkdown_core::FieldKind)]); 3] = [
        (
            "000_e908c39efd9e3739.txt",
            &[
                ("Deployment Date", Date),
                ("Deployed By", Name),
                ("Verified By", Name),
                ("Notes", Notes),
            ],
        ),
        (
            "001_a08f19cd4fa65d26.txt",
            &[
                ("Deployment Date", Date),
                ("Deployed By", Name),
                ("Approved By", Name),
                ("Notes", Notes),
            ],
        ),
        (
            "003_0e905b31ca48a9be.txt",
            &[
                ("Deployment Date", Date),
                ("Deployed By", Name),
                ("Version", Text),
                ("Sign-Off", Text),
            ],
        ),
    ];
    for (name, expected) in cases {
        let Some(c) = seed(name) else { return };
        let got: Vec<_> = c
            .fields
            .iter()
            .map(|f| (f.label.as_str(), f.kind))
            .collect();
        assert_eq!(got, expected, "{name}");
    }
}

#[test]
fn seeds_parse_without_errors_or_warnings() {
    for name in SEEDS {
        let Some(parsed) = seed_parsed(name) else {
            return;
        };
        let all: Vec<_> = parsed.diagnostics.iter().map(ToString::to_string).collect();
        assert!(all.is_empty(), "{name}: {all:?}");
    }
}

#[test]
fn seed_outlines_match_their_snapshots() {
    for name in SEEDS {
        let Some(parsed) = seed_parsed(name) else {
            return;
        };
        insta::assert_snapshot!(name, checkdown_core::outline(&parsed));
    }
}

/// Source positions are what the compact rules leave out; everything else must survive.
fn without_positions(mut c: Checklist) -> Checklist {
    fn items(list: &mut [checkdown_core::Item]) {
        for i in list {
            (i.line, i.column) = (0, 0);
            for f in &mut i.fields {
                (f.line, f.column) = (0, 0);
            }
            items(&mut i.children);
        }
    }
    fn sections(list: &mut [checkdown_core::Section]) {
        for s in list {
            s.line = 0;
            items(&mut s.items);
            sections(&mut s.sections);
        }
    }
    for f in &mut c.fields {
        (f.line, f.column) = (0, 0);
    }
    items(&mut c.items);
    sections(&mut c.sections);
    c
}

#[test]
fn compact_rules_read_back_as_the_rules_of_every_seed() {
    for name in SEEDS {
        let Some(c) = seed(name) else { return };
        let json = c.rules_json();
        // The browser and `verify` read the compact shape, defaults left out; it must
        // come back as the same rules.
        let compact: checkdown_core::compact::Checklist = serde_json::from_str(&json).unwrap();
        assert_eq!(
            Checklist::from(compact),
            without_positions(c.rules()),
            "{name}"
        );
        let full = serde_json::to_string(&c.rules()).unwrap();
        assert!(
            json.len() * 3 < full.len() * 2,
            "{name}: compact {} bytes vs {}",
            json.len(),
            full.len()
        );
    }
}

#[test]
fn section_spans_are_where_each_sections_items_are() {
    fn ids(s: &checkdown_core::Section, out: &mut Vec<String>) {
        fn items(list: &[checkdown_core::Item], out: &mut Vec<String>) {
            for i in list {
                out.push(i.id.clone());
                items(&i.children, out);
            }
        }
        items(&s.items, out);
        for sub in &s.sections {
            ids(sub, out);
        }
    }
    // The seeds nest sections; this adds intro items and nested items.
    let nested = checkdown_core::parse_str(
        "n",
        "# N\n- [ ] Intro\n## A\n- [ ] One\n  - [ ] One.one\n### A.1\n- [ ] Two\n## B\n- [ ] Three\n",
    )
    .checklist;
    let checklists = SEEDS.iter().filter_map(|n| seed(n)).chain(nested);
    let mut spans = 0;
    for c in checklists {
        let all = c.all_items();
        for (section, span) in c.section_spans() {
            let mut expected = Vec::new();
            ids(section, &mut expected);
            let got: Vec<String> = all[span].iter().map(|i| i.id.clone()).collect();
            assert_eq!(got, expected, "{}: section {}", c.id, section.id);
            spans += 1;
        }
    }
    assert!(spans > 20, "only {spans} sections looked at");
}
