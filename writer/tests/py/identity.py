"""The call sequence of writer/tests/python_identity.rs, made with Python Aspara 0.1.0.

    ASPARA_DATA_DIR=<dir> python3 identity.py <artifact-file>

The Rust test makes the same calls through the `aspara` crate and compares the files byte for byte.
"""
import sys
import types

try:
    import watchfiles  # noqa: F401
except ImportError:
    # Aspara 0.1.0 writes project tags through its catalog package, which imports watchfiles (an
    # extra of the `dashboard` install) at module level but never uses it for this; a stand-in
    # lets plain `pip install aspara==0.1.0` run the sequence.
    stub = types.ModuleType("watchfiles")
    stub.awatch = None
    stub.Change = None
    sys.modules["watchfiles"] = stub

import aspara

artifact = sys.argv[1]
run = aspara.init(
    project="ident",
    name="same-run",
    config={
        "lr": 5e-05,
        "epochs": 100.0,
        "big": 1e16,
        "tiny": 1e-07,
        "count": 3,
        "nested": {"layers": [64, 128, 2.5], "act": None, "ok": True},
        "title": "résumé 損失 \"quoted\" \\ back",
        "empty": {},
        "none": [],
    },
    tags=["baseline", "ünïcode", "a/b"],
    notes="line one\nline two\n\ttabbed </script>",
    project_tags=["cv", "demo"],
)
run.log({"train/loss": 2.35, "train/acc": 0.1}, step=0, timestamp=1735689600000)
run.log({"val/loss": 2.5}, commit=False, timestamp=1735689600500)
run.log({"val/acc": 0.25}, timestamp="2025-01-01T00:00:01")
run.log({"損失": 1e-07, "x": 100.0, "big": 1e16, "neg": -0.0}, step=10, timestamp=1735689610000)
run.log({}, timestamp=1735689611000)
run.log({"y": 2.3499999999999996, "z": 1.7976931348623157e308, "w": 5e-324}, timestamp="2025-01-01T00:00:12Z")
run.log({"x": 0.30000000000000004}, step=3, timestamp=1735689613000)
run.summary["best"] = 0.25
run.summary.update({"final": {"acc": 0.9, "tags": ["x"]}, "epochs_run": 12})
run.config.update({"lr": 0.0001, "added": [1, 2]})
run.set_tags(["baseline", "final"])
run.log_artifact(artifact, name="config.yaml", description="the config\nsecond line", category="config")
run.log_artifact(artifact)
run.log({"after": 1.0}, timestamp=1735689614000)
run.finish(exit_code=0)
