//! The push payload decoder on hostile input: arbitrary bytes, arbitrary JSON and
//! near-valid payloads never panic and are answered with a 4xx problem.

use axum::response::IntoResponse;
use closer_server::http::sync_routes::decode_push;
use proptest::prelude::*;
use serde_json::{json, Value};

const NOW: i64 = 1_750_000_000_000;
const SKEW: i64 = 24 * 3600 * 1000;

fn assert_4xx_or_ok(bytes: &[u8]) {
    if let Err(e) = decode_push(bytes, NOW, SKEW) {
        let status = e.into_response().status().as_u16();
        assert!((400..500).contains(&status), "status {status}");
    }
}

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| json!(f)),
        ".{0,20}".prop_map(Value::from),
        prop_oneof![
            Just("lead"),
            Just("deal"),
            Just("upsert"),
            Just("delete"),
            Just("battle_card"),
            Just("owner_id")
        ]
        .prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    Just("client_id".to_string()),
                    Just("mutations".to_string()),
                    Just("mutation_id".to_string()),
                    Just("entity".to_string()),
                    Just("entity_id".to_string()),
                    Just("op".to_string()),
                    Just("fields".to_string()),
                    Just("hlc".to_string()),
                    Just("value".to_string()),
                    Just("wall_ms".to_string()),
                    Just("counter".to_string()),
                    Just("node".to_string()),
                    "[a-z_]{1,8}",
                ],
                inner,
                0..6,
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Payloads shaped like real pushes, with every part drawn from hostile values.
fn near_valid() -> impl Strategy<Value = Value> {
    let hlc = (any::<i64>(), any::<u32>(), ".{0,70}")
        .prop_map(|(w, c, n)| json!({"wall_ms": w, "counter": c, "node": n}));
    let mutation = (any::<u64>(), prop_oneof![Just("lead"), Just("call"), Just("x")], ".{0,70}",
        prop_oneof![Just("upsert"), Just("delete")],
        prop::collection::btree_map(".{0,70}", (arb_json(), hlc.clone()), 0..4),
        prop::option::of(hlc))
        .prop_map(|(id, entity, eid, op, fields, hlc)| {
            let fields: serde_json::Map<String, Value> = fields
                .into_iter()
                .map(|(k, (v, h))| (k, json!({"value": v, "hlc": h})))
                .collect();
            let mut m = json!({"mutation_id": id, "entity": entity, "entity_id": eid, "op": op, "fields": fields});
            if let Some(h) = hlc {
                m["hlc"] = h;
            }
            m
        });
    (".{0,70}", prop::collection::vec(mutation, 0..5))
        .prop_map(|(client, ms)| json!({"client_id": client, "mutations": ms}))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        assert_4xx_or_ok(&bytes);
    }

    #[test]
    fn arbitrary_json_never_panics(v in arb_json()) {
        assert_4xx_or_ok(v.to_string().as_bytes());
    }

    #[test]
    fn near_valid_pushes_never_panic(v in near_valid()) {
        assert_4xx_or_ok(v.to_string().as_bytes());
    }
}

#[test]
fn deep_nesting_and_huge_numbers_are_refused_not_crashed() {
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert_4xx_or_ok(deep.as_bytes());
    let value = format!(
        r#"{{"client_id":"c","mutations":[{{"mutation_id":1,"entity":"lead","entity_id":"l","op":"upsert","fields":{{"n":{{"value":{deep},"hlc":{{"wall_ms":1,"counter":0,"node":"n"}}}}}}}}]}}"#
    );
    assert_4xx_or_ok(value.as_bytes());
    assert_4xx_or_ok(br#"{"client_id":"c","mutations":[{"mutation_id":99999999999999999999999,"entity":"lead","entity_id":"l","op":"delete","hlc":{"wall_ms":1,"counter":0,"node":"n"}}]}"#);
    assert_4xx_or_ok(br#"{"client_id":"c","mutations":[{"mutation_id":18446744073709551615,"entity":"lead","entity_id":"l","op":"delete","hlc":{"wall_ms":1,"counter":0,"node":"n"}}]}"#);
    assert!(decode_push(br#"{"client_id":"c","mutations":[{"mutation_id":18446744073709551615,"entity":"lead","entity_id":"l","op":"delete","hlc":{"wall_ms":1,"counter":0,"node":"n"}}]}"#, NOW, SKEW).is_err());
    // A valid one decodes.
    let ok = json!({"client_id": "c", "mutations": [{"mutation_id": 1, "entity": "lead", "entity_id": "l", "op": "upsert",
        "fields": {"name": {"value": "x", "hlc": {"wall_ms": NOW, "counter": 0, "node": "n"}}}}]});
    assert!(decode_push(ok.to_string().as_bytes(), NOW, SKEW).is_ok());
}
