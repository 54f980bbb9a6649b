//! latency.svg (HDR-style percentile curves) and throughput.svg (completions per second over
//! time), with plotters' SVG backend: no fonts or image libraries needed.

use crate::report::ScenarioResult;
use anyhow::{anyhow, Result};
use plotters::prelude::*;
use std::path::Path;

/// One line of a chart.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    pub label: String,
    pub points: Vec<(f64, f64)>,
}

/// How far into the tail the latency plot goes: 99.99 %.
const MAX_NINES: f64 = 4.0;

/// `-log10(1 - q)`: 90 % is 1, 99 % is 2, ... (the x axis of an HDR percentile plot).
pub fn nines(q: f64) -> f64 {
    if q >= 1.0 {
        f64::INFINITY
    } else {
        -(1.0 - q).log10()
    }
}

fn nines_label(x: f64) -> String {
    let pct = 100.0 * (1.0 - 10f64.powf(-x));
    match x.round() as i64 {
        0 => "0%".to_owned(),
        1 => "90%".to_owned(),
        _ => format!("{pct:.*}%", (x.round() as usize).saturating_sub(2)),
    }
}

/// A series per operation with enough samples: its percentile curve on the nines axis, up to the
/// quantile its sample count supports (99.9 % needs 1,000 samples).
pub fn latency_series(scenarios: &[ScenarioResult], min_samples: u64) -> Vec<Series> {
    let mut out = Vec::new();
    for s in scenarios {
        for op in s.ops.iter().filter(|o| o.ok >= min_samples) {
            let points: Vec<(f64, f64)> = op
                .percentile_curve
                .iter()
                .map(|&(q, ms)| (nines(q), ms))
                .filter(|&(x, _)| x.is_finite() && x <= MAX_NINES)
                .filter(|&(x, _)| 10f64.powf(x) <= op.ok as f64)
                .map(|(x, ms)| (x, ms.max(0.001)))
                .collect();
            if points.len() >= 2 {
                out.push(Series {
                    label: label(s, &op.name),
                    points,
                });
            }
        }
    }
    out
}

fn label(s: &ScenarioResult, op: &str) -> String {
    format!("{} {}: {op}", s.key, s.short)
}

/// Completions per second over each scenario's run, for the operations named in `ops` (the last,
/// partial second left out).
pub fn throughput_series(scenarios: &[ScenarioResult], ops: &[&str]) -> Vec<Series> {
    let mut out = Vec::new();
    for s in scenarios {
        for op in s.ops.iter().filter(|o| ops.contains(&o.name.as_str())) {
            let whole = op.timeline.len().saturating_sub(1).max(1);
            let points: Vec<(f64, f64)> = op
                .timeline
                .iter()
                .take(whole)
                .enumerate()
                .map(|(i, &n)| (i as f64 + 0.5, n as f64))
                .collect();
            if !points.is_empty() {
                out.push(Series {
                    label: label(s, &op.name),
                    points,
                });
            }
        }
    }
    out
}

fn bounds(series: &[Series]) -> Option<((f64, f64), (f64, f64))> {
    let mut pts = series.iter().flat_map(|s| s.points.iter().copied());
    let first = pts.next()?;
    Some(pts.fold(
        ((first.0, first.0), (first.1, first.1)),
        |((x0, x1), (y0, y1)), (x, y)| ((x0.min(x), x1.max(x)), (y0.min(y), y1.max(y))),
    ))
}

fn err(e: impl std::fmt::Display) -> anyhow::Error {
    anyhow!("plot: {e}")
}

const SIZE: (u32, u32) = (1000, 620);

/// The percentile curves, latency on a log scale.
pub fn draw_latency(path: &Path, series: &[Series]) -> Result<()> {
    let root = SVGBackend::new(path, SIZE).into_drawing_area();
    root.fill(&WHITE).map_err(err)?;
    let ((_, _), (y0, y1)) = bounds(series).unwrap_or(((0.0, 1.0), (0.1, 10.0)));
    // Headroom above the curves for the legend.
    let (y0, y1) = ((y0 / 1.5).max(0.001), (y1 * 8.0).max(y0 * 2.0));
    let mut chart = ChartBuilder::on(&root)
        .caption("Latency by percentile (2xx answers)", ("sans-serif", 22))
        .margin(16)
        .x_label_area_size(44)
        .y_label_area_size(64)
        .build_cartesian_2d(0.0..MAX_NINES, (y0..y1).log_scale())
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_labels(5)
        .x_label_formatter(&|x| nines_label(*x))
        .x_desc("percentile")
        .y_desc("latency (ms, log scale)")
        .y_label_formatter(&|y| {
            if *y >= 1.0 {
                format!("{y:.0}")
            } else {
                format!("{y:.2}")
            }
        })
        .draw()
        .map_err(err)?;
    for (i, s) in series.iter().enumerate() {
        let color = Palette99::pick(i).to_rgba();
        chart
            .draw_series(LineSeries::new(
                s.points.iter().copied(),
                color.stroke_width(2),
            ))
            .map_err(err)?
            .label(&s.label)
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 18, y)], color.stroke_width(2)));
        chart
            .draw_series(s.points.iter().map(|&p| Circle::new(p, 2, color.filled())))
            .map_err(err)?;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .draw()
        .map_err(err)?;
    root.present().map_err(err)?;
    Ok(())
}

/// Completions per second against seconds since each scenario started.
pub fn draw_throughput(path: &Path, series: &[Series]) -> Result<()> {
    let root = SVGBackend::new(path, SIZE).into_drawing_area();
    root.fill(&WHITE).map_err(err)?;
    let ((_, x1), (_, y1)) = bounds(series).unwrap_or(((0.0, 1.0), (0.0, 1.0)));
    let mut chart = ChartBuilder::on(&root)
        .caption(
            "Throughput: completed requests per second",
            ("sans-serif", 22),
        )
        .margin(16)
        .x_label_area_size(44)
        .y_label_area_size(64)
        .build_cartesian_2d(0.0..(x1 + 0.5).max(1.0), 0.0..(y1 * 1.1).max(1.0))
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_desc("seconds since the scenario started")
        .y_desc("requests / s")
        .y_label_formatter(&|y| format!("{y:.0}"))
        .draw()
        .map_err(err)?;
    for (i, s) in series.iter().enumerate() {
        let color = Palette99::pick(i).to_rgba();
        chart
            .draw_series(LineSeries::new(
                s.points.iter().copied(),
                color.stroke_width(2),
            ))
            .map_err(err)?
            .label(&s.label)
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 18, y)], color.stroke_width(2)));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .draw()
        .map_err(err)?;
    root.present().map_err(err)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::OpStats;
    use std::time::Duration;

    fn scenario(key: &str, samples: u64) -> ScenarioResult {
        let mut s = OpStats::default();
        for i in 0..samples {
            s.record_ok(
                Duration::from_micros(500 + i * 10),
                Duration::from_millis(i * 10),
            );
        }
        ScenarioResult {
            key: key.into(),
            short: "s".into(),
            title: key.into(),
            description: String::new(),
            sale: None,
            duration_s: samples as f64 / 100.0,
            ops: vec![s.summary("poll", Duration::from_secs(1))],
            coordinator: None,
            metrics: Vec::new(),
        }
    }

    #[test]
    fn nines_axis() {
        assert!((nines(0.9) - 1.0).abs() < 1e-9);
        assert!((nines(0.999) - 3.0).abs() < 1e-9);
        assert_eq!(nines(0.0), 0.0);
        assert!(nines(1.0).is_infinite());
        assert_eq!(nines_label(0.0), "0%");
        assert_eq!(nines_label(1.0), "90%");
        assert_eq!(nines_label(2.0), "99%");
        assert_eq!(nines_label(3.0), "99.9%");
        assert_eq!(nines_label(4.0), "99.99%");
    }

    #[test]
    fn latency_curve_stops_where_the_samples_do() {
        let series = latency_series(&[scenario("a", 150), scenario("b", 5)], 10);
        assert_eq!(series.len(), 1, "too few samples for b");
        assert_eq!(series[0].label, "a s: poll");
        let max_x = series[0].points.iter().map(|p| p.0).fold(0.0, f64::max);
        assert!(max_x <= 2.0 + 1e-9, "150 samples reach 99 %, not further");
        assert!(series[0].points.windows(2).all(|w| w[0].1 <= w[1].1));
    }

    #[test]
    fn throughput_drops_the_partial_last_second() {
        let series = throughput_series(&[scenario("a", 250)], &["poll"]);
        assert_eq!(series.len(), 1);
        // 250 samples 10 ms apart: seconds 0 and 1 full (100 each), second 2 partial.
        assert_eq!(series[0].points, vec![(0.5, 100.0), (1.5, 100.0)]);
        assert!(throughput_series(&[scenario("a", 250)], &["join"]).is_empty());
    }

    #[test]
    fn svg_files_are_written() {
        let dir = std::env::temp_dir().join(format!("loadgen-plot-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let scenarios = [scenario("a", 2_000), scenario("b", 300)];
        let lat = dir.join("latency.svg");
        let thr = dir.join("throughput.svg");
        draw_latency(&lat, &latency_series(&scenarios, 10)).unwrap();
        draw_throughput(&thr, &throughput_series(&scenarios, &["poll"])).unwrap();
        for f in [&lat, &thr] {
            let text = std::fs::read_to_string(f).unwrap();
            assert!(text.starts_with("<svg"), "{}", &text[..text.len().min(80)]);
            assert!(text.contains("a s: poll"));
        }
        draw_latency(&lat, &[]).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
