//! The machine's load average, printed next to every figure: the benchmarks share two cores with
//! whatever else runs (other builds), and a figure means little without it.

/// The 1-, 5- and 15-minute load averages as `/proc/loadavg` states them, or `unknown`.
pub(crate) fn average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|text| {
            text.split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_else(|| "unknown".to_owned())
}
