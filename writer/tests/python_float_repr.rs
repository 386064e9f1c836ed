//! Our float formatting against Python's own `repr`, on random bit patterns (FORMAT.md §2.1).

use aspara::format::pyjson::float_repr;
use std::process::Command;

#[test]
fn float_repr_equals_python_repr() {
    let mut state: u64 = 0x2545_F491_4F6C_DD1D;
    let mut values = Vec::new();
    while values.len() < 30000 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        // Half raw bit patterns (every exponent), half "ordinary" magnitudes like losses and rates.
        let x = if values.len() % 3 == 0 {
            f64::from_bits(state)
        } else if values.len() % 3 == 1 {
            // Short exact binary fractions, where two shortest decimal forms can tie.
            ((state >> 11) >> (state % 40)) as f64 / f64::from(1u32 << (state % 12))
        } else {
            (state >> 11) as f64 / (1u64 << 53) as f64 * 10f64.powi((state % 40) as i32 - 20)
        };
        if x.is_finite() {
            values.push(x);
        }
    }
    let hex: Vec<String> = values
        .iter()
        .map(|x| format!("{:016x}", x.to_bits()))
        .collect();
    let script = "import struct,sys\nfor h in sys.stdin.read().split():\n    print(repr(struct.unpack('>d', bytes.fromhex(h))[0]))";
    let mut child = match Command::new("python3")
        .args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
    {
        Ok(c) => c,
        Err(e) if std::env::var_os("CI").is_none() => {
            eprintln!("skipped: python3 is not available ({e})");
            return;
        }
        Err(e) => panic!("python3 is required in CI: {e}"),
    };
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(hex.join("\n").as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let python: Vec<&str> = std::str::from_utf8(&out.stdout).unwrap().lines().collect();
    assert_eq!(python.len(), values.len());
    for (x, want) in values.iter().zip(python) {
        assert_eq!(float_repr(*x), want, "bits {:016x}", x.to_bits());
    }
}
