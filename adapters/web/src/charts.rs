//! The dashboard's charts, drawn on the server as SVG with plotters, so a
//! page needs no script and works offline. Labels are plotters' own
//! `<text>` elements; the browser picks the font.

use lyceum_core::analytics::{Cohort, WeekFlow};
use plotters::coord::Shift;
use plotters::prelude::*;

const SIZE: (u32, u32) = (640, 260);
const INK: RGBColor = RGBColor(52, 84, 160);
const GAIN: RGBColor = RGBColor(46, 139, 87);
const LOSS: RGBColor = RGBColor(200, 70, 60);
/// Colours of the cohort curves, oldest first.
const CURVES: [RGBColor; 6] = [
    RGBColor(150, 150, 150),
    RGBColor(120, 90, 170),
    RGBColor(220, 140, 40),
    RGBColor(40, 150, 160),
    RGBColor(200, 70, 60),
    RGBColor(52, 84, 160),
];

type Drawn = Result<(), Box<dyn std::error::Error>>;

fn svg(draw: impl FnOnce(&DrawingArea<SVGBackend<'_>, Shift>) -> Drawn) -> String {
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, SIZE).into_drawing_area();
        let drawn = root
            .fill(&WHITE)
            .map_err(Into::into)
            .and_then(|()| draw(&root))
            .and_then(|()| root.present().map_err(Into::into));
        if let Err(e) = drawn {
            tracing::warn!(error = %e, "a dashboard chart could not be drawn");
        }
    }
    out
}

/// The top of an axis: a little above the largest value, and at least `least`.
fn top(values: impl Iterator<Item = f64>, least: f64) -> f64 {
    (values.fold(0.0_f64, f64::max) * 1.15).max(least)
}

/// One line over time: `points` are (Unix seconds, value); the axis
/// reaches at least `least`.
pub fn over_time(points: &[(i64, f64)], least: f64, y_label: &dyn Fn(&f64) -> String) -> String {
    let x0 = points.first().map_or(0, |p| p.0);
    let x1 = points.last().map_or(1, |p| p.0).max(x0 + 1);
    let ymax = top(points.iter().map(|p| p.1), least);
    let date = |t: &i64| {
        chrono::DateTime::from_timestamp(*t, 0)
            .map(|d| d.format("%b %d").to_string())
            .unwrap_or_default()
    };
    svg(|root| {
        let mut chart = ChartBuilder::on(root)
            .margin(12)
            .x_label_area_size(28)
            .y_label_area_size(64)
            .build_cartesian_2d(x0..x1, 0.0..ymax)?;
        chart
            .configure_mesh()
            .x_labels(6)
            .y_labels(5)
            .light_line_style(WHITE)
            .x_label_formatter(&date)
            .y_label_formatter(y_label)
            .draw()?;
        chart.draw_series(LineSeries::new(points.iter().copied(), INK.stroke_width(2)))?;
        chart.draw_series(points.iter().map(|p| Circle::new(*p, 3, INK.filled())))?;
        Ok(())
    })
}

/// New members above the axis and churned ones below it, week by week.
pub fn flow(weeks: &[WeekFlow]) -> String {
    let up = top(weeks.iter().map(|w| w.new as f64), 1.0);
    let down = top(weeks.iter().map(|w| w.churned as f64), 1.0);
    let n = weeks.len().max(1) as f64;
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "a whole, non-negative axis position, checked first"
    )]
    let week = |x: &f64| {
        let i = x.round();
        if (x - i).abs() > 0.01 || i < 0.0 {
            return String::new();
        }
        weeks
            .get(i as usize)
            .and_then(|w| chrono::DateTime::from_timestamp(w.start, 0))
            .map(|d| d.format("%b %d").to_string())
            .unwrap_or_default()
    };
    let count = |y: &f64| format!("{:.0}", y.abs());
    svg(|root| {
        let mut chart = ChartBuilder::on(root)
            .margin(12)
            .x_label_area_size(28)
            .y_label_area_size(48)
            .build_cartesian_2d(-0.5..n - 0.5, -down..up)?;
        chart
            .configure_mesh()
            .x_labels(weeks.len().min(12))
            .y_labels(6)
            .light_line_style(WHITE)
            .disable_x_mesh()
            .x_label_formatter(&week)
            .y_label_formatter(&count)
            .draw()?;
        for (i, w) in weeks.iter().enumerate() {
            let x = i as f64;
            chart.draw_series([
                Rectangle::new([(x - 0.35, 0.0), (x + 0.35, w.new as f64)], GAIN.filled()),
                Rectangle::new([(x - 0.35, 0.0), (x + 0.35, -(w.churned as f64))], LOSS.filled()),
            ])?;
        }
        Ok(())
    })
}

/// One retention curve per signup month: L(k) in percent over months k.
pub fn retention(cohorts: &[Cohort]) -> String {
    let months = cohorts.iter().map(|c| c.retained.len()).max().unwrap_or(1).max(2);
    let pct = |y: &f64| format!("{y:.0}%");
    let month = |x: &f64| format!("+{x:.0}");
    svg(|root| {
        let mut chart = ChartBuilder::on(root)
            .margin(12)
            .x_label_area_size(28)
            .y_label_area_size(48)
            .build_cartesian_2d(0.0..(months - 1) as f64, 0.0..105.0)?;
        chart
            .configure_mesh()
            .x_labels(months)
            .y_labels(6)
            .light_line_style(WHITE)
            .x_label_formatter(&month)
            .y_label_formatter(&pct)
            .draw()?;
        for (c, colour) in cohorts.iter().zip(CURVES.iter().cycle()) {
            let points: Vec<(f64, f64)> = c
                .retained
                .iter()
                .enumerate()
                .map_while(|(k, l)| l.map(|l| (k as f64, l * 100.0)))
                .collect();
            let colour = *colour;
            // A cohort one month old has a single point: dots show it.
            chart.draw_series(points.iter().map(|p| Circle::new(*p, 3, colour.filled())))?;
            chart
                .draw_series(LineSeries::new(points, colour.stroke_width(2)))?
                .label(format!("{} ({})", c.month, c.size))
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], colour.stroke_width(2)));
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK.mix(0.3))
            .draw()?;
        Ok(())
    })
}

/// An axis value as the whole number of minor units it stands for.
#[allow(
    clippy::cast_possible_truncation,
    reason = "axis values come from i64 amounts; `as` saturates at the ends"
)]
pub fn whole(y: f64) -> i64 {
    y.round() as i64
}
