//! `index`, `ls`, `publish`, `demo` and the help texts, end to end (library calls on temporary copies,
//! and the built binary for `--json` and `--help`).

#![allow(clippy::unwrap_used)] // test helpers: a failed unwrap is a failed test, with its message

mod util;

use std::collections::BTreeMap;

use aspara_cli::args::{DataDirArg, DemoArgs, IndexArgs, LsArgs, PublishArgs};
use aspara_cli::commands::{demo, index, ls, publish};

fn dd(p: &std::path::Path) -> DataDirArg {
    DataDirArg {
        data_dir: Some(p.to_path_buf()),
    }
}

#[test]
fn index_lists_two_projects_six_runs_and_reports_skips() {
    let t = util::fixture_copy();
    std::fs::create_dir_all(t.path().join(".queue/vision-demo")).unwrap();
    std::fs::create_dir_all(t.path().join("Bad Project")).unwrap();
    let cfg = IndexArgs {
        data: dd(t.path()),
        json: false,
    }
    .config()
    .unwrap();
    let out = index::run(&cfg).unwrap();
    assert_eq!((out.projects, out.runs), (2, 6));
    let skipped: Vec<&str> = out.skipped.iter().map(|s| s.path.as_str()).collect();
    assert!(skipped.contains(&".queue"), "{skipped:?}");
    assert!(skipped.contains(&"Bad Project"), "{skipped:?}");
    let text = out.render();
    assert!(text.starts_with("indexed 2 project(s), 6 run(s)"), "{text}");
    let m: aspara::format::Manifest =
        serde_json::from_slice(&std::fs::read(t.path().join("aspara-index.json")).unwrap())
            .unwrap();
    assert_eq!(m.projects.len(), 2);
    assert_eq!(m.projects.iter().map(|p| p.runs.len()).sum::<usize>(), 6);
}

#[test]
fn ls_json_lists_the_fixture_runs_with_statuses() {
    let t = util::fixture_copy();
    let out = util::aspara(&["ls", "--data-dir", t.path().to_str().unwrap(), "--json"]);
    let v: serde_json::Value = serde_json::from_str(&util::ok_stdout(&out)).unwrap();
    let projects: Vec<(&str, u64)> = v["projects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap(),
                p["run_count"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(projects, [("nlp_demo", 3), ("vision-demo", 3)]);
    assert_eq!(v["projects"][1]["tags"], serde_json::json!(["cv", "demo"]));
    let listed: BTreeMap<String, String> = v["projects"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["runs"].as_array().unwrap().iter())
        .map(|r| {
            (
                r["name"].as_str().unwrap().to_owned(),
                r["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect();

    let now = jiff::Timestamp::now().as_millisecond();
    // bert-large is wip; Aspara shows it maybe_failed once its start is over an hour old (§2.4).
    let bert_large = if now - 1_796_306_863_240 > 3_600_000 {
        "maybe_failed"
    } else {
        "wip"
    };
    let mut statuses = BTreeMap::new();
    for p in ["nlp_demo", "vision-demo"] {
        let out = util::aspara(&["ls", "--data-dir", t.path().to_str().unwrap(), p, "--json"]);
        let v: serde_json::Value = serde_json::from_str(&util::ok_stdout(&out)).unwrap();
        assert_eq!(v["project"], p);
        for r in v["runs"].as_array().unwrap() {
            statuses.insert(
                r["name"].as_str().unwrap().to_owned(),
                r["status"].as_str().unwrap().to_owned(),
            );
            if r["name"] == "resnet-lr-high" {
                // NaN for steps 150..199: the last finite loss is at step 149.
                assert_eq!(r["max_step"], 199);
                assert_eq!(r["records"], 200);
                assert!(r["last"]["train/loss"].is_number());
            }
            if r["name"] == "brave-dolphin-997" {
                assert_eq!(r["records"], 400);
            }
            if r["name"] == "distil-sweep" {
                assert_eq!(r["max_step"], 995);
            }
        }
    }
    let want: BTreeMap<String, String> = [
        ("bert-large", bert_large),
        ("bert-small", "completed"),
        ("distil-sweep", "completed"),
        ("brave-dolphin-997", "completed"),
        ("resnet-baseline", "completed"),
        ("resnet-lr-high", "failed"),
    ]
    .into_iter()
    .map(|(a, b)| (a.to_owned(), b.to_owned()))
    .collect();
    assert_eq!(statuses, want);
    assert_eq!(
        listed, want,
        "the project listing shows the same 6 runs and statuses"
    );
}

#[test]
fn ls_text_and_unknown_project() {
    let t = util::fixture_copy();
    let cfg = LsArgs {
        data: dd(t.path()),
        project: Some("vision-demo".into()),
        json: false,
    }
    .config()
    .unwrap();
    let text = ls::run(&cfg).unwrap().render();
    assert!(
        text.contains("resnet-lr-high") && text.contains("failed"),
        "{text}"
    );
    let cfg = LsArgs {
        data: dd(t.path()),
        project: Some("nope".into()),
        json: false,
    }
    .config()
    .unwrap();
    assert!(matches!(
        ls::run(&cfg),
        Err(aspara_cli::Error::NoProject(_))
    ));
    assert!(
        LsArgs {
            data: dd(t.path()),
            project: Some("../etc".into()),
            json: false
        }
        .config()
        .is_err()
    );
}

fn publish_cfg(
    data: &std::path::Path,
    out: &std::path::Path,
    projects: &[&str],
    force: bool,
) -> publish::PublishConfig {
    PublishArgs {
        data: dd(data),
        out: out.to_path_buf(),
        projects: projects.iter().map(|s| s.to_string()).collect(),
        force,
    }
    .config()
    .unwrap()
}

fn all_files(dir: &std::path::Path) -> Vec<String> {
    let mut out = Vec::new();
    fn walk(root: &std::path::Path, d: &std::path::Path, out: &mut Vec<String>) {
        for e in std::fs::read_dir(d).unwrap().flatten() {
            if e.file_type().unwrap().is_dir() {
                walk(root, &e.path(), out);
            } else {
                out.push(
                    e.path()
                        .strip_prefix(root)
                        .unwrap()
                        .to_string_lossy()
                        .into_owned(),
                );
            }
        }
    }
    walk(dir, dir, &mut out);
    out.sort();
    out
}

#[test]
fn publish_writes_a_static_site_of_the_chosen_projects() {
    let t = util::fixture_copy();
    std::fs::create_dir_all(t.path().join(".queue/vision-demo")).unwrap();
    std::fs::write(t.path().join("vision-demo/.tmp_x.json"), b"{}").unwrap();
    let site = tempfile::tempdir().unwrap();
    let out = site.path().join("site");
    let res = publish::run(
        &publish_cfg(t.path(), &out, &["vision-demo"], false),
        indicatif::ProgressBar::hidden(),
    )
    .unwrap();
    assert_eq!(res.projects, ["vision-demo"]);
    assert_eq!(res.runs, 3);
    let files = all_files(&out);
    for f in [
        "index.html",
        ".nojekyll",
        publish::MARKER_FILE,
        "aspara-index.json",
        "vision-demo/metadata.json",
        "vision-demo/resnet-baseline.jsonl",
        "vision-demo/resnet-baseline.meta.json",
        "vision-demo/resnet-baseline/artifacts/config.yaml",
        "vision-demo/resnet-lr-high/artifacts/divergence.txt",
        "vision-demo/brave-dolphin-997.jsonl",
    ] {
        assert!(files.contains(&f.to_owned()), "{f} missing from {files:?}");
    }
    assert!(
        !files.iter().any(|f| f.starts_with("nlp_demo")),
        "{files:?}"
    );
    assert!(
        !files
            .iter()
            .any(|f| f.contains(".tmp_") || f.contains(".queue")),
        "{files:?}"
    );
    assert!(
        res.skipped
            .iter()
            .any(|s| s.path == "vision-demo/.tmp_x.json")
    );
    // Byte-identical copies with the source's mtimes, so the manifest's stats describe them.
    assert_eq!(
        std::fs::read(out.join("vision-demo/resnet-baseline.jsonl")).unwrap(),
        std::fs::read(t.path().join("vision-demo/resnet-baseline.jsonl")).unwrap()
    );
    let m: aspara::format::Manifest =
        serde_json::from_slice(&std::fs::read(out.join("aspara-index.json")).unwrap()).unwrap();
    assert_eq!(m.projects.len(), 1);
    assert_eq!(m.projects[0].name, "vision-demo");
    let run = m.projects[0]
        .runs
        .iter()
        .find(|r| r.name == "resnet-baseline")
        .unwrap();
    assert_eq!(
        run.jsonl,
        aspara::index::file_stat(&out.join("vision-demo/resnet-baseline.jsonl"))
    );
    // Relative paths only: no absolute URL or local path anywhere in the site's text files.
    let root = t.path().to_string_lossy().into_owned();
    for f in &files {
        if f.ends_with(".html") || f.ends_with(".json") || f.ends_with(".js") || f.ends_with(".css")
        {
            let s = std::fs::read_to_string(out.join(f)).unwrap();
            assert!(!s.contains(&root), "{f} mentions the data dir");
            if f.ends_with(".html") {
                for bad in ["src=\"/", "href=\"/", "src='/", "href='/"] {
                    assert!(!s.contains(bad), "{f} has an absolute URL ({bad})");
                }
            }
        }
    }
}

#[test]
fn publish_refuses_a_non_empty_directory_unless_forced_or_a_previous_publish() {
    let t = util::fixture_copy();
    let site = tempfile::tempdir().unwrap();
    std::fs::write(site.path().join("thesis.tex"), b"precious").unwrap();
    let err = publish::run(
        &publish_cfg(t.path(), site.path(), &[], false),
        indicatif::ProgressBar::hidden(),
    )
    .unwrap_err();
    assert!(matches!(err, aspara_cli::Error::NotASite(_)), "{err}");
    assert!(err.to_string().contains("--force"));
    assert_eq!(
        std::fs::read(site.path().join("thesis.tex")).unwrap(),
        b"precious"
    );
    // --force writes beside the existing file.
    let res = publish::run(
        &publish_cfg(t.path(), site.path(), &[], true),
        indicatif::ProgressBar::hidden(),
    )
    .unwrap();
    assert_eq!(res.projects, ["nlp_demo", "vision-demo"]);
    assert!(site.path().join("thesis.tex").is_file());

    // A previous publish is replaced in place (stale projects go), keeping .git.
    let out = tempfile::tempdir().unwrap();
    publish::run(
        &publish_cfg(t.path(), out.path(), &[], false),
        indicatif::ProgressBar::hidden(),
    )
    .unwrap();
    std::fs::create_dir_all(out.path().join(".git")).unwrap();
    std::fs::write(out.path().join(".git/HEAD"), b"ref").unwrap();
    std::fs::write(out.path().join("CNAME"), b"runs.example.org").unwrap();
    publish::run(
        &publish_cfg(t.path(), out.path(), &["nlp_demo"], false),
        indicatif::ProgressBar::hidden(),
    )
    .unwrap();
    assert!(!out.path().join("vision-demo").exists());
    assert!(out.path().join("nlp_demo/bert-small.jsonl").is_file());
    assert!(out.path().join(".git/HEAD").is_file());
    assert_eq!(
        std::fs::read(out.path().join("CNAME")).unwrap(),
        b"runs.example.org"
    );
    let marker: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.path().join(publish::MARKER_FILE)).unwrap())
            .unwrap();
    assert!(
        marker["entries"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!("nlp_demo"))
    );
    assert!(
        !marker["entries"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!("CNAME"))
    );

    // Unknown or invalid projects are errors, not empty sites.
    let empty = tempfile::tempdir().unwrap();
    let err = publish::run(
        &publish_cfg(t.path(), empty.path(), &["nope"], false),
        indicatif::ProgressBar::hidden(),
    )
    .unwrap_err();
    assert!(matches!(err, aspara_cli::Error::NoProject(_)));
    assert!(
        PublishArgs {
            data: dd(t.path()),
            out: empty.path().into(),
            projects: vec!["../x".into()],
            force: false
        }
        .config()
        .is_err()
    );
}

#[test]
fn publish_skips_traversal_and_hidden_entries_of_cases() {
    // B36: a stray file beside the runs is not a run file; B35: bad-named dirs and .queue are skipped.
    let t = tempfile::tempdir().unwrap();
    util::copy_dir(&util::case_data("B36"), t.path());
    util::copy_dir(&util::case_data("B35"), t.path());
    std::fs::create_dir_all(t.path().join("<svg onload=alert(1)>")).unwrap();
    std::fs::write(t.path().join("<svg onload=alert(1)>/run1.jsonl"), b"").unwrap();
    std::fs::write(t.path().join("xss/<img src=x onerror=alert(1)>.jsonl"), b"").unwrap();
    let out = tempfile::tempdir().unwrap();
    let res = publish::run(
        &publish_cfg(t.path(), out.path(), &[], false),
        indicatif::ProgressBar::hidden(),
    )
    .unwrap();
    assert_eq!(res.projects, ["traversal", "xss"]);
    let files = all_files(out.path());
    assert!(
        !files.iter().any(|f| f.contains("outside.txt")),
        "{files:?}"
    );
    assert!(!files.iter().any(|f| f.contains('<')), "{files:?}");
    assert!(files.contains(&"xss/run1/artifacts/report.html".to_owned()));
    assert!(files.contains(&"traversal/victim/artifacts/ok.txt".to_owned()));
}

#[test]
fn demo_writes_six_runs_with_the_expected_statuses() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("demo-data");
    let cfg = DemoArgs {
        data_dir: dir.clone(),
        no_serve: true,
        host: "127.0.0.1".into(),
        port: 3141,
    }
    .config()
    .unwrap();
    assert!(cfg.serve.is_none());
    let out = demo::run(&cfg).unwrap();
    assert_eq!(out.runs.len(), 6);

    let ls = ls::run(
        &LsArgs {
            data: dd(&dir),
            project: Some(demo::PROJECT.into()),
            json: false,
        }
        .config()
        .unwrap(),
    )
    .unwrap();
    let ls::LsOutcome::Runs { runs, .. } = ls else {
        panic!("not runs")
    };
    let statuses: BTreeMap<&str, &str> = runs
        .iter()
        .map(|r| (r.name.as_str(), r.status.as_str()))
        .collect();
    assert_eq!(
        statuses,
        BTreeMap::from([
            ("adam-lr0_001", "completed"),
            ("adam-lr0_01", "completed"),
            ("momentum-lr0_02", "completed"),
            ("momentum-lr0_05-interrupted", "wip"),
            ("sgd-lr0_05", "completed"),
            ("sgd-lr50", "failed"),
        ])
    );
    for r in &runs {
        for m in ["train/loss", "train/acc", "val/loss", "val/acc"] {
            assert!(r.last.contains_key(m), "{} lacks {m}", r.name);
        }
    }
    // Read back through the reader: the sane runs' loss really went down.
    let layout = aspara::layout::Layout::new(&dir);
    for name in [
        "adam-lr0_001",
        "adam-lr0_01",
        "momentum-lr0_02",
        "sgd-lr0_05",
        "momentum-lr0_05-interrupted",
    ] {
        let data = aspara::format::reader::read_metrics(
            &std::fs::read(layout.metrics(demo::PROJECT, name)).unwrap(),
        );
        let loss = data.metric("train/loss").unwrap().series();
        let (first, last) = (loss.values[0], *loss.values.last().unwrap());
        assert!(last < first, "{name}: {first} -> {last}");
        assert_eq!(data.report.skipped_total, 0);
    }
    let data = aspara::format::reader::read_metrics(
        &std::fs::read(layout.metrics(demo::PROJECT, "sgd-lr50")).unwrap(),
    );
    let s = data.metric("train/loss").unwrap().summary();
    assert!(s.non_finite() >= 1, "the divergence is recorded");
    // An artifact for every finished, non-diverged run.
    assert!(
        layout
            .artifact(demo::PROJECT, "adam-lr0_01", "adam-lr0_01-weights.json")
            .is_file()
    );
    let adam = out.runs.iter().find(|r| r.name == "adam-lr0_01").unwrap();
    assert!(adam.last_val_acc > 0.8);
    // Re-running replaces the runs rather than failing on them.
    demo::run(&cfg).unwrap();
    assert!(
        !dir.read_dir()
            .unwrap()
            .flatten()
            .any(|e| e.file_name().to_string_lossy().starts_with(".demo-scratch"))
    );
}

#[test]
fn help_says_what_and_shows_examples() {
    let top = util::ok_stdout(&util::aspara(&["--help"]));
    assert!(
        top.contains("Examples:") && top.contains("aspara demo"),
        "{top}"
    );
    for sub in [
        "serve", "publish", "index", "ls", "inspect", "demo", "tracker", "sync",
    ] {
        let h = util::ok_stdout(&util::aspara(&[sub, "--help"]));
        assert!(h.contains("Examples:"), "{sub}: {h}");
        assert!(h.contains(&format!("aspara {sub}")), "{sub}: {h}");
    }
}

#[test]
fn missing_data_dir_is_a_clear_error() {
    let out = util::aspara(&["ls", "--data-dir", "/nonexistent/aspara-data"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("does not exist"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn serve_process_prints_its_url_and_answers() {
    use std::io::{BufRead as _, Read as _, Write as _};
    let t = util::fixture_copy();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_aspara"))
        .args([
            "serve",
            "--data-dir",
            t.path().to_str().unwrap(),
            "--host",
            "127.0.0.1",
            "--port",
            "0",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    stdout.read_line(&mut line).unwrap();
    let url = line.trim().rsplit(' ').next().unwrap().to_owned();
    assert!(
        url.starts_with("http://127.0.0.1:") && url.ends_with('/'),
        "{line}"
    );
    let hostport = url.trim_start_matches("http://").trim_end_matches('/');
    let mut s = std::net::TcpStream::connect(hostport).unwrap();
    write!(
        s,
        "GET /aspara-index.json HTTP/1.1\r\nHost: {hostport}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut resp = String::new();
    s.read_to_string(&mut resp).unwrap();
    child.kill().unwrap();
    let _ = child.wait();
    drop(stdout);
    assert!(resp.starts_with("HTTP/1.1 200"), "{resp}");
    assert!(resp.contains("\"vision-demo\""), "{resp}");
}

#[test]
fn index_json_and_inspect_errors_from_the_binary() {
    let t = util::fixture_copy();
    let out = util::aspara(&["index", "--data-dir", t.path().to_str().unwrap(), "--json"]);
    let v: serde_json::Value = serde_json::from_str(&util::ok_stdout(&out)).unwrap();
    assert_eq!(
        (v["projects"].as_u64(), v["runs"].as_u64()),
        (Some(2), Some(6))
    );
    for bad in [
        vec!["inspect", "/nonexistent/p/r.jsonl"],
        vec![
            "inspect",
            "--data-dir",
            t.path().to_str().unwrap(),
            "vision-demo/nope",
        ],
        vec![
            "inspect",
            "--data-dir",
            t.path().to_str().unwrap(),
            "../x/y",
        ],
        vec!["inspect", "just-a-word"],
    ] {
        let out = util::aspara(&bad);
        assert!(!out.status.success(), "{bad:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.starts_with("error: "), "{bad:?}: {err}");
        assert!(!err.contains("panicked"), "{bad:?}: {err}");
    }
}

#[test]
fn publish_refuses_the_data_directory_and_its_subdirectories() {
    let t = util::fixture_copy();
    let before = all_files(t.path());
    let run_file = t.path().join("vision-demo/resnet-baseline.jsonl");
    let len = std::fs::metadata(&run_file).unwrap().len();
    assert!(len > 0);
    for (out, force) in [
        t.path().to_path_buf(),
        t.path().join("."),
        t.path().join("site"),
        t.path().join("vision-demo"),
        t.path().join("vision-demo/new/deeper"),
    ]
    .into_iter()
    .flat_map(|o| [(o.clone(), false), (o, true)])
    {
        let err = publish::run(
            &publish_cfg(t.path(), &out, &[], force),
            indicatif::ProgressBar::hidden(),
        )
        .unwrap_err();
        assert!(
            err.to_string().contains("is inside the data directory"),
            "{}: {err}",
            out.display()
        );
    }
    // Nothing written, nothing truncated, no directory created.
    assert_eq!(all_files(t.path()), before);
    assert_eq!(std::fs::metadata(&run_file).unwrap().len(), len);
    assert!(!t.path().join("site").exists());
    // A symlink to the data directory is the data directory.
    let link_parent = tempfile::tempdir().unwrap();
    let link = link_parent.path().join("data-link");
    std::os::unix::fs::symlink(t.path(), &link).unwrap();
    let err = publish::run(
        &publish_cfg(t.path(), &link, &[], true),
        indicatif::ProgressBar::hidden(),
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("is inside the data directory"),
        "{err}"
    );
    assert_eq!(std::fs::metadata(&run_file).unwrap().len(), len);
}

#[cfg(unix)]
#[test]
fn publish_makes_private_run_metadata_readable_by_a_web_server() {
    use std::os::unix::fs::PermissionsExt as _;
    let t = util::fixture_copy();
    let meta = t.path().join("vision-demo/resnet-baseline.meta.json");
    // As the writer leaves it (FORMAT.md §3.3).
    std::fs::set_permissions(&meta, std::fs::Permissions::from_mode(0o600)).unwrap();
    let out = tempfile::tempdir().unwrap();
    publish::run(
        &publish_cfg(t.path(), out.path(), &["vision-demo"], false),
        indicatif::ProgressBar::hidden(),
    )
    .unwrap();
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(
        mode(&out.path().join("vision-demo/resnet-baseline.meta.json")),
        0o644
    );
    assert_eq!(
        mode(&out.path().join("vision-demo/resnet-baseline.jsonl")),
        0o644
    );
    assert_eq!(
        mode(
            &out.path()
                .join("vision-demo/resnet-baseline/artifacts/config.yaml")
        ),
        0o644
    );
    // The data directory keeps its private mode.
    assert_eq!(mode(&meta), 0o600);
}

#[test]
fn a_failed_publish_leaves_the_site_as_it_was_and_creates_nothing() {
    let t = util::fixture_copy();
    let parent = tempfile::tempdir().unwrap();
    let site = parent.path().join("site");
    publish::run(
        &publish_cfg(t.path(), &site, &[], false),
        indicatif::ProgressBar::hidden(),
    )
    .unwrap();
    let before = all_files(&site);
    assert!(
        before
            .iter()
            .any(|f| f == "vision-demo/resnet-baseline.jsonl")
    );
    // An unknown project is refused before the previous publish is cleared.
    let err = publish::run(
        &publish_cfg(t.path(), &site, &["nope"], false),
        indicatif::ProgressBar::hidden(),
    )
    .unwrap_err();
    assert!(
        matches!(err, aspara_cli::Error::NoProject(ref p) if p == "nope"),
        "{err}"
    );
    assert_eq!(all_files(&site), before);
    // ... and into a directory that does not exist yet, nothing is created.
    let fresh = parent.path().join("fresh");
    assert!(
        publish::run(
            &publish_cfg(t.path(), &fresh, &["nope"], false),
            indicatif::ProgressBar::hidden(),
        )
        .is_err()
    );
    assert!(!fresh.exists());
}

#[test]
fn sync_names_a_missing_data_directory_instead_of_reporting_nothing_queued() {
    let parent = tempfile::tempdir().unwrap();
    let missing = parent.path().join("nope");
    let args = aspara_cli::commands::sync::SyncArgs {
        data_dir: Some(missing.clone()),
        tracker: None,
        token: None,
        timeout: 0.0,
    };
    let err = aspara_cli::commands::sync::run(&args).unwrap_err();
    assert!(
        matches!(err, aspara_cli::Error::NoDataDir(ref d) if *d == missing),
        "{err}"
    );
}
