//! Series math and chart drawing.
