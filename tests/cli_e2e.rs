//! The `lyceum` binary's other commands, configuration errors, database
//! errors, and the HTTP server of `lyceum run`.

#![allow(clippy::unwrap_used)]

mod support;

use support::{Running, TestDb, assert_fails, field_strs, lyceum, run_with_input, stderr, stdout};

fn write_config(dir: &tempfile::TempDir, text: &str) -> String {
    let path = dir.path().join("lyceum.toml");
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

const MINIMAL: &str = r#"
[database]
url = "sqlite::memory:"
[http]
addr = "127.0.0.1:0"
[[communities]]
slug = "club"
name = "Club"
[[communities.tiers]]
key = "member"
name = "Member"
"#;

#[test]
fn invalid_configuration_stops_with_the_key_and_exit_code_2() {
    let db = TestDb::sqlite();
    let dir = tempfile::tempdir().unwrap();
    // (config file text, environment overrides, what the error must name)
    type Case<'a> = (String, Vec<(&'a str, &'a str)>, &'a str);
    let cases: Vec<Case> = vec![
        (
            MINIMAL.replace("key = \"member\"", "key = \"Member Tier\""),
            vec![],
            "communities[0].tiers[0].key",
        ),
        (
            format!("{MINIMAL}[[communities.tiers]]\nkey = \"member\"\nname = \"Again\"\n"),
            vec![],
            "communities[0].tiers[1].key: `member` is used twice",
        ),
        (MINIMAL.replace("[http]", "[http]\nport = 8080"), vec![], "http"),
        (
            MINIMAL.to_owned(),
            vec![("LYCEUM__HTTP__ADDR", "not-an-address")],
            "http.addr",
        ),
        (
            MINIMAL.to_owned(),
            vec![("LYCEUM__DATABASE__URL", "mysql://x")],
            "database.url",
        ),
        (
            MINIMAL.to_owned(),
            vec![("LYCEUM__LOG__FORMAT", "xml")],
            "log.format",
        ),
        (
            MINIMAL.replace("name = \"Club\"", "name = \"Club\"\nadmins = [\"root\"]"),
            vec![],
            "communities[0].admins[0]",
        ),
        (
            format!("{MINIMAL}[discord]\ntoken = \"MTAx.abc.def\"\n"),
            vec![],
            "discord.token: secrets must not be written in a config file",
        ),
        (
            format!("{MINIMAL}[[discord.guilds]]\nguild_id = 5\ncommunity = \"nope\"\n"),
            vec![],
            "discord.guilds[0].community",
        ),
        (
            format!(
                "{MINIMAL}[[discord.guilds]]\nguild_id = 5\ncommunity = \"club\"\nroles = {{ vip-room = 7 }}\n"
            ),
            vec![],
            "discord.guilds[0].roles.vip-room",
        ),
        (
            MINIMAL.to_owned(),
            vec![("LYCEUM__DISCORD__TOKEN", "MTAx.abc.def")],
            "discord.application_id",
        ),
        (
            format!("{MINIMAL}[discord]\nshards = {{ first = 2, last = 1, total = 4 }}\n"),
            vec![],
            "discord.shards",
        ),
        (
            format!(
                "{MINIMAL}[[telegram.chats]]\nchat_id = -100\ncommunity = \"club\"\nperk = \"vip-room\"\n"
            ),
            vec![],
            "telegram.chats[0].perk",
        ),
        (
            format!("{MINIMAL}[telegram]\nmode = \"webhook\"\n"),
            vec![("LYCEUM__TELEGRAM__TOKEN", "1:abc")],
            "telegram.secret_token",
        ),
        (
            format!("{MINIMAL}[telegram]\nmode = \"carrier-pigeon\"\n"),
            vec![],
            "telegram.mode",
        ),
        (
            format!("{MINIMAL}[stripe]\nsecret_key = \"sk_live_abc\"\n"),
            vec![],
            "stripe.secret_key: secrets must not be written in a config file",
        ),
        (
            MINIMAL.to_owned(),
            vec![("LYCEUM__STRIPE__WEBHOOK_SECRET", "whsec_only")],
            "LYCEUM__STRIPE__WEBHOOK_SECRET is set without LYCEUM__STRIPE__SECRET_KEY",
        ),
        (
            MINIMAL.to_owned(),
            vec![("LYCEUM__SECRETS__KEY", "c2hvcnQ=")],
            "secrets.key: must be 32 bytes",
        ),
        (
            MINIMAL.to_owned(),
            vec![("LYCEUM__STRIPE__API_BASE", "ftp://stripe")],
            "stripe.api_base",
        ),
        (
            MINIMAL.replace(
                "key = \"member\"",
                "key = \"member\"\nmonthly = { amount = 100, currency = \"USD\" }\n\
                 yearly = { amount = 900, currency = \"USD\" }\n\
                 stripe_monthly = \"price_x\"\nstripe_yearly = \"price_x\"",
            ),
            vec![],
            "`price_x` is used twice",
        ),
    ];
    for (text, env, key) in cases {
        let path = write_config(&dir, &text);
        let mut cmd = lyceum(&db.url);
        cmd.env_remove("LYCEUM__DATABASE__URL");
        for (k, v) in &env {
            cmd.env(k, v);
        }
        let out = run_with_input(cmd, &["--config", &path, "config", "show"], "");
        let err = assert_fails(&out, 2, key);
        assert!(err.contains("invalid configuration"), "{key}: {err}");
        assert!(!err.contains("MTAx.abc.def"), "a secret was echoed: {err}");
    }
    let out = run_with_input(
        lyceum(&db.url),
        &["--config", "/no/such/file.toml", "migrate"],
        "",
    );
    assert_fails(&out, 2, "/no/such/file.toml");
}

#[test]
fn config_show_redacts_secrets() {
    let db = TestDb::sqlite();
    let mut cmd = lyceum("postgres://lyceum:hunter2@127.0.0.1:1/lyceum");
    cmd.env("LYCEUM__TELEGRAM__TOKEN", "123456:SECRET-TOKEN")
        .env("LYCEUM__STRIPE__SECRET_KEY", "sk_test_SECRET-KEY")
        .env("LYCEUM__STRIPE__WEBHOOK_SECRET", "whsec_SECRET-A,whsec_SECRET-B");
    let out = run_with_input(cmd, &["config", "show"], "");
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(!text.contains("hunter2") && !text.contains("SECRET-"), "{text}");
    assert!(text.contains("[redacted]"), "{text}");
    assert!(text.contains("\"slug\": \"demo\""), "{text}");
    drop(db);
}

#[tokio::test]
async fn community_commands_print_tiers_offers_and_prices() {
    for db in TestDb::all().await {
        let out = run_with_input(lyceum(&db.url), &["community", "list", "--json"], "");
        assert!(out.status.success(), "{}", stderr(&out));
        let list: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
        assert_eq!(list[0]["slug"], "demo");

        let out = run_with_input(lyceum(&db.url), &["community", "show", "demo", "--json"], "");
        let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
        assert_eq!(field_strs(&v["tiers"], "key"), vec!["basic", "pro", "vip"]);
        assert_eq!(
            v["tiers"][1]["perks"],
            serde_json::json!(["community-chat", "pro-lounge"])
        );
        let pro_monthly = v["offers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["key"] == "pro-monthly")
            .unwrap();
        assert_eq!(pro_monthly["tier"], "pro");
        assert_eq!(pro_monthly["price"]["amount"], 1500);
        assert_eq!(pro_monthly["price"]["currency"], "USD");
        assert_eq!(pro_monthly["stripe_price"], "price_demo_pro_monthly");
        assert!(field_strs(&v["offers"], "kind").contains(&"course"));

        let out = run_with_input(lyceum(&db.url), &["community", "show", "nope", "--json"], "");
        assert_fails(&out, 2, "There is no community \"nope\"");
        let out = run_with_input(
            lyceum(&db.url),
            &["member", "show", "demo", "console:ghost", "--json"],
            "",
        );
        assert_fails(&out, 2, "console:ghost is not a member");
    }
}

#[test]
fn a_corrupt_or_unreachable_database_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let corrupt = dir.path().join("corrupt.db");
    std::fs::write(
        &corrupt,
        b"this is not a database, just some bytes that are long enough to matter",
    )
    .unwrap();
    let out = run_with_input(
        lyceum(&format!("sqlite://{}", corrupt.display())),
        &["migrate"],
        "",
    );
    assert_fails(&out, 1, "not a database");

    let missing = dir.path().join("no/such/dir/lyceum.db");
    let out = run_with_input(
        lyceum(&format!("sqlite://{}?mode=rwc", missing.display())),
        &["migrate"],
        "",
    );
    assert_fails(&out, 1, "cannot open the database");

    let out = run_with_input(
        lyceum("postgres://nobody:pw-xyz@127.0.0.1:1/none"),
        &["migrate"],
        "",
    );
    let err = assert_fails(&out, 1, "cannot open the database");
    assert!(!err.contains("pw-xyz"), "password leaked: {err}");
}

#[test]
fn run_serves_health_and_readiness_and_stops_on_sigterm() {
    serve_and_stop(false);
}

#[test]
fn run_can_log_json_lines() {
    serve_and_stop(true);
}

fn serve_and_stop(json: bool) {
    let db = TestDb::sqlite();
    let mut cmd = lyceum(&db.url);
    cmd.arg("run");
    if json {
        cmd.arg("--log-json");
    }
    let server = Running::start(cmd, json);
    let (addr, seen) = (server.addr.clone(), server.seen.clone());
    assert!(seen.contains("try the local console"), "{seen}");
    let health = ureq::get(&format!("http://{addr}/healthz"))
        .call()
        .unwrap()
        .into_body()
        .read_to_string()
        .unwrap();
    assert_eq!(health, "ok");
    let ready = ureq::get(&format!("http://{addr}/readyz")).call().unwrap();
    assert_eq!(ready.status(), 200);

    let status = server.stop();
    assert!(status.success(), "{status:?}");
}

#[tokio::test]
async fn levels_import_from_a_mee6_export_with_a_dry_run_and_line_numbered_refusals() {
    for db in TestDb::all().await {
        let dir = tempfile::tempdir().unwrap();
        let good = dir.path().join("mee6.csv");
        std::fs::write(&good, "Username,ID,Level,XP\nalice,111,5,1200\nbob,222,1,150\n").unwrap();
        let bad = dir.path().join("bad.csv");
        std::fs::write(&bad, "id,xp\n111,ten\n222,5\n333,-4\n").unwrap();
        let run = |args: &[&str]| lyceum(&db.url).args(args).output().unwrap();
        let show = |who: &str| {
            let out = run(&["member", "show", "demo", who, "--json"]);
            serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap_or_default()
        };

        let dry = run(&[
            "import",
            "levels",
            "demo",
            good.to_str().unwrap(),
            "--dry-run",
            "--json",
        ]);
        let report: serde_json::Value = serde_json::from_slice(&dry.stdout).unwrap();
        assert_eq!(
            (report["raised"].as_u64(), report["points_added"].as_i64()),
            (Some(2), Some(1350))
        );
        assert!(
            show("discord:111").is_null(),
            "{}: a dry run changes nothing",
            db.backend
        );

        let refused = run(&["import", "levels", "demo", bad.to_str().unwrap()]);
        let err = assert_fails(&refused, 2, "bad.csv:2: XP `ten` is not a whole number");
        assert!(err.contains("bad.csv:4: XP -4 is outside"), "{err}");
        assert!(err.contains("2 bad rows; nothing was imported"), "{err}");
        assert!(show("discord:222").is_null(), "{}", db.backend);

        let done = run(&["import", "levels", "demo", good.to_str().unwrap()]);
        assert!(stdout(&done).contains("Imported 2 rows"), "{}", stderr(&done));
        let alice = show("discord:111");
        assert_eq!(alice["points"], 1200, "{}: {alice}", db.backend);
        // Running the same file again raises nobody.
        let again = run(&["import", "levels", "demo", good.to_str().unwrap(), "--json"]);
        let report: serde_json::Value = serde_json::from_slice(&again.stdout).unwrap();
        assert_eq!(report["unchanged"], 2);
    }
}
