//! The year chart of a budget, drawn on the server as SVG: per month a bar for the
//! contributions and one for the payments, and a line for the balance at the month's end, with
//! the credit line's limit as a dashed line below zero.
//!
//! Only presentation attributes are used (no `style`), so the strict CSP holds; the chart
//! carries a title and a description, and the page shows the same figures as a table.

use std::fmt::Write as _;

use ixorg_domain::Cents;
use ixorg_domain::statement::MonthFigures;

/// The texts the chart needs, in the page's language.
#[derive(Clone, Debug)]
pub struct ChartTexts<'a> {
    /// The chart's title (read by screen readers).
    pub title: &'a str,
    /// A one-sentence description (read by screen readers).
    pub description: &'a str,
    /// Short month names, January first.
    pub months: [&'a str; 12],
    /// Legend: contributions, payments, balance, credit limit.
    pub legend: [&'a str; 4],
}

const WIDTH: i64 = 720;
const HEIGHT: i64 = 300;
const LEFT: i64 = 78;
const RIGHT: i64 = 12;
const TOP: i64 = 16;
const BOTTOM: i64 = 64;

/// The SVG of `months` with the credit line `credit_line`; `euros` formats an axis amount.
#[must_use]
pub fn year_chart(
    months: &[MonthFigures],
    credit_line: Cents,
    texts: &ChartTexts<'_>,
    euros: impl Fn(Cents) -> String,
) -> String {
    // The scale: from the lowest to the highest value shown, zero and the limit included.
    let limit = credit_line.get().saturating_neg();
    let mut low = limit.min(0);
    let mut high = 0i64;
    for m in months {
        for v in [m.contributions.get(), m.payments.get()]
            .into_iter()
            .chain(m.balance_end.map(Cents::get))
        {
            low = low.min(v);
            high = high.max(v);
        }
    }
    if high == low {
        high = low.saturating_add(10_000);
    }
    let step = nice_step(high.saturating_sub(low));
    let low = low.div_euclid(step).saturating_mul(step);
    let high = (high.saturating_add(step - 1))
        .div_euclid(step)
        .saturating_mul(step);
    let span = i128::from(high.saturating_sub(low)).max(1);
    let plot_h = i128::from(HEIGHT - TOP - BOTTOM);
    let y = |v: i64| -> i64 {
        let from_top = i128::from(high.saturating_sub(v)) * plot_h / span;
        TOP + i64::try_from(from_top).unwrap_or(0)
    };
    let slot = (WIDTH - LEFT - RIGHT) / 12;
    let bar = slot / 3;

    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" \
         class=\"chart\" role=\"img\" aria-labelledby=\"chart-title chart-desc\">\
         <title id=\"chart-title\">{}</title><desc id=\"chart-desc\">{}</desc>",
        escape(texts.title),
        escape(texts.description)
    );
    // Grid and axis labels.
    let mut tick = low;
    while tick <= high {
        let ty = y(tick);
        let class = if tick == 0 { "axis-zero" } else { "grid" };
        let _ = write!(
            svg,
            "<line class=\"{class}\" x1=\"{LEFT}\" x2=\"{}\" y1=\"{ty}\" y2=\"{ty}\" \
             stroke=\"{}\" stroke-width=\"1\"/>\
             <text x=\"{}\" y=\"{}\" text-anchor=\"end\" font-size=\"12\" fill=\"#333\">{}</text>",
            WIDTH - RIGHT,
            if tick == 0 { "#444" } else { "#ddd" },
            LEFT - 6,
            ty + 4,
            escape(&euros(Cents::new(tick)))
        );
        tick = tick.saturating_add(step);
        if step <= 0 {
            break;
        }
    }
    // The credit limit.
    if limit < 0 {
        let ly = y(limit);
        let _ = write!(
            svg,
            "<line class=\"limit\" x1=\"{LEFT}\" x2=\"{}\" y1=\"{ly}\" y2=\"{ly}\" \
             stroke=\"#a4262c\" stroke-width=\"1.5\" stroke-dasharray=\"6 4\"/>",
            WIDTH - RIGHT
        );
    }
    // Bars and month labels.
    let zero = y(0);
    let mut points = vec![];
    for (i, m) in months.iter().enumerate().take(12) {
        let x0 = LEFT + i64::try_from(i).unwrap_or(0) * slot + slot / 6;
        for (offset, value, fill) in [
            (0, m.contributions.get(), "#1d70b8"),
            (bar, m.payments.get(), "#d4351c"),
        ] {
            let top = y(value.max(0));
            let bottom = y(value.min(0));
            let h = (bottom - top).max(if value == 0 { 0 } else { 1 });
            let _ = write!(
                svg,
                "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{h}\" fill=\"{fill}\"/>",
                x0 + offset,
                if value >= 0 { top } else { zero },
                bar - 2
            );
        }
        let _ = write!(
            svg,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"12\" fill=\"#333\">{}</text>",
            x0 + bar,
            HEIGHT - BOTTOM + 16,
            escape(texts.months.get(i).copied().unwrap_or(""))
        );
        if let Some(b) = m.balance_end {
            points.push(format!("{},{}", x0 + bar, y(b.get())));
        }
    }
    if !points.is_empty() {
        let _ = write!(
            svg,
            "<polyline fill=\"none\" stroke=\"#00703c\" stroke-width=\"2.5\" points=\"{}\"/>",
            points.join(" ")
        );
    }
    // Legend.
    let colours = ["#1d70b8", "#d4351c", "#00703c", "#a4262c"];
    let legend_y = HEIGHT - 18;
    for (i, (label, colour)) in texts.legend.iter().zip(colours).enumerate() {
        let lx = LEFT + i64::try_from(i).unwrap_or(0) * 160;
        let mark = if i < 2 {
            format!(
                "<rect x=\"{lx}\" y=\"{}\" width=\"14\" height=\"14\" fill=\"{colour}\"/>",
                legend_y - 11
            )
        } else {
            format!(
                "<line x1=\"{lx}\" x2=\"{}\" y1=\"{}\" y2=\"{}\" stroke=\"{colour}\" \
                 stroke-width=\"2.5\"{}/>",
                lx + 14,
                legend_y - 4,
                legend_y - 4,
                if i == 3 {
                    " stroke-dasharray=\"6 4\""
                } else {
                    ""
                }
            )
        };
        let _ = write!(
            svg,
            "{mark}<text x=\"{}\" y=\"{legend_y}\" font-size=\"13\" fill=\"#0b0c0c\">{}</text>",
            lx + 20,
            escape(label)
        );
    }
    svg.push_str("</svg>");
    svg
}

/// A round step for about five grid lines over `span` cents (1, 2 or 5 times a power of ten,
/// at least € 10).
fn nice_step(span: i64) -> i64 {
    let rough = (span / 5).max(1_000);
    let mut power = 1_000i64;
    while power.saturating_mul(10) <= rough {
        power = power.saturating_mul(10);
    }
    for factor in [1, 2, 5, 10] {
        let step = power.saturating_mul(factor);
        if step >= rough {
            return step;
        }
    }
    power.saturating_mul(10)
}

/// Escapes text for SVG content and attributes.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use time::Month;

    use super::*;

    fn texts() -> ChartTexts<'static> {
        ChartTexts {
            title: "Budget <2026>",
            description: "desc",
            months: [
                "jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec",
            ],
            legend: ["in", "uit", "saldo", "grens"],
        }
    }

    fn month(i: u8, contributions: i64, payments: i64, balance: Option<i64>) -> MonthFigures {
        MonthFigures {
            month: Month::try_from(i).expect("month"),
            contributions: Cents::new(contributions),
            payments: Cents::new(payments),
            other: Cents::ZERO,
            balance_end: balance.map(Cents::new),
        }
    }

    #[test]
    fn the_chart_has_a_bar_pair_per_month_a_balance_point_per_past_month_and_escaped_texts() {
        let months: Vec<MonthFigures> = (1..=12)
            .map(|i| {
                let balance = (i <= 3).then_some(i64::from(i) * 2_500 - 6_000);
                month(i, 2_500, if i == 2 { 9_000 } else { 0 }, balance)
            })
            .collect();
        let svg = year_chart(&months, Cents::new(15_000), &texts(), |c| c.to_string());
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert_eq!(
            svg.matches("<rect").count(),
            24 + 2,
            "two bars a month and two legend keys"
        );
        let points = svg
            .split("points=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .expect("a balance line");
        assert_eq!(points.split(' ').count(), 3);
        assert!(svg.contains("Budget &lt;2026&gt;"));
        assert!(
            !svg.contains("style="),
            "no inline style under the strict CSP"
        );
        assert!(
            svg.contains("stroke-dasharray"),
            "the credit limit is drawn"
        );
    }

    #[test]
    fn an_empty_year_draws_without_dividing_by_zero() {
        let months: Vec<MonthFigures> = (1..=12).map(|i| month(i, 0, 0, None)).collect();
        let svg = year_chart(&months, Cents::ZERO, &texts(), |c| c.to_string());
        assert!(svg.contains("</svg>"));
        assert!(!svg.contains("polyline"));
    }

    #[test]
    fn steps_are_round_amounts() {
        assert_eq!(nice_step(0), 1_000);
        assert_eq!(nice_step(40_000), 10_000);
        assert_eq!(nice_step(90_000), 20_000);
        assert_eq!(nice_step(240_000), 50_000);
    }
}
