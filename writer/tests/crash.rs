//! A child process logging in a loop is killed with SIGKILL at random moments, 20 times, each time
//! reopened with resume. After every kill: each complete line parses, only a partial tail may be
//! torn (the next resume cuts it, case B21), every record the child saw flushed is present, the
//! steps are exactly 0..=max once each (lost records are only ever an unflushed suffix), and the
//! meta always parses (it is replaced atomically).
#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is a failed test

mod util;

use aspara::{Resume, Run};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::time::Duration;

const KILLS: usize = 20;

#[test]
#[ignore = "helper process entry, run by sigkill_at_random_moments_loses_only_the_unflushed_tail"]
fn child_log_forever() {
    let Ok(dir) = std::env::var("CHILD_DIR") else {
        return;
    };
    let mut run = Run::builder("crash")
        .name("victim")
        .data_dir(&dir)
        .resume(Resume::Allow)
        .start()
        .unwrap();
    println!("@@ S {}", run.step());
    loop {
        let step = run.step();
        run.log([("x", step as f64), ("y", 1.0 / (step + 1) as f64)], None)
            .unwrap();
        if step % 50 == 49 {
            run.flush().unwrap();
            println!("@@ F {step}");
        }
        if step % 500 == 0 {
            run.set_summary("last_step", step).unwrap();
        }
    }
}

fn check_files(dir: &Path, flushed: Option<u64>) -> (u64, bool) {
    let bytes = std::fs::read(dir.join("crash/victim.jsonl")).unwrap();
    let text = std::str::from_utf8(&bytes).unwrap();
    let (complete, tail) = match text.rfind('\n') {
        Some(i) => (&text[..=i], &text[i + 1..]),
        None => ("", text),
    };
    let lines =
        util::parse_lines(complete).unwrap_or_else(|(i, l)| panic!("line {} torn: {l:?}", i + 1));
    for (i, l) in lines.iter().enumerate() {
        assert_eq!(
            l["step"].as_u64(),
            Some(i as u64),
            "steps are 0..=max, once each"
        );
        assert_eq!(l["metrics"]["x"].as_f64(), Some(i as f64));
    }
    if let Some(f) = flushed {
        assert!(
            lines.len() as u64 > f,
            "flushed step {f} missing ({} lines)",
            lines.len()
        );
    }
    let meta = std::fs::read(dir.join("crash/victim.meta.json")).unwrap();
    aspara::format::RunMeta::from_bytes(&meta).expect("meta is never torn");
    (lines.len() as u64, !tail.is_empty())
}

#[test]
fn sigkill_at_random_moments_loses_only_the_unflushed_tail() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path().to_str().unwrap().to_owned();
    let mut expected_start = 0;
    let (mut partial_tails, mut total_lost) = (0, 0u64);
    for round in 0..KILLS {
        let mut child = util::spawn_child("child_log_forever", &[("CHILD_DIR", dir.as_str())]);
        let stdout = child.stdout.take().unwrap();
        let reader = std::thread::spawn(move || {
            let (mut start, mut flushed) = (None, None);
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                for l in util::child_lines(&line) {
                    match l.split_once(' ') {
                        Some(("S", n)) => start = Some(n.parse::<u64>().unwrap()),
                        Some(("F", n)) => flushed = Some(n.parse::<u64>().unwrap()),
                        _ => {}
                    }
                }
            }
            (start, flushed)
        });
        std::thread::sleep(Duration::from_millis(fastrand::u64(40..400)));
        child.kill().unwrap(); // SIGKILL
        let status = child.wait().unwrap();
        assert!(!status.success());
        let (start, flushed) = reader.join().unwrap();
        let Some(start) = start else {
            // Killed before the run even started; the files must still be sound.
            check_files(d.path(), None);
            continue;
        };
        assert_eq!(
            start, expected_start,
            "round {round}: resume continues at max(step)+1"
        );
        let (lines, partial) = check_files(d.path(), flushed);
        partial_tails += usize::from(partial);
        if let Some(f) = flushed {
            total_lost += lines.saturating_sub(f + 1);
        }
        expected_start = lines;
    }
    assert!(expected_start > 0, "the child logged something");
    println!(
        "{KILLS} kills: {expected_start} records kept, {partial_tails} partial tails repaired, {total_lost} records written after the last flush seen"
    );
}
