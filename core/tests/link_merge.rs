//! `/link` folds one member and one person into another, and every row that
//! names the one merged away has to follow (a question left behind once
//! made the merge fail on its foreign key). This keeps `linking/` in step
//! with the tables: each entity with a member or person column must be
//! handled there.

use std::path::Path;

#[test]
fn linking_handles_every_table_that_names_a_member_or_person() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let linking: String = ["linking/mod.rs", "linking/merge.rs"]
        .iter()
        .map(|f| std::fs::read_to_string(src.join(f)).expect("linking sources"))
        .collect();
    let mut entities: Vec<_> = std::fs::read_dir(src.join("entity"))
        .expect("entity folder")
        .map(|e| e.expect("entry").path())
        .collect();
    entities.sort();
    let mut checked = 0;
    let mut missing = Vec::new();
    for path in entities {
        let text = std::fs::read_to_string(&path).expect("entity source");
        let names_someone = ["member_id", "person_id", "referrer_id", "referred_id"]
            .iter()
            .any(|c| text.contains(&format!("pub {c}:")));
        if !names_someone {
            continue;
        }
        checked += 1;
        let name = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
        if !linking.contains(&format!("{name}::")) {
            missing.push(name.to_owned());
        }
    }
    assert!(checked > 20, "the reader finds the member tables ({checked})");
    assert!(
        missing.is_empty(),
        "tables whose rows a /link merge leaves behind: {missing:?}"
    );
}
