//! Chart settings: smoothing slider, x axis, y scale, size, metric search.

use yew::prelude::*;

use crate::state::{Action, ChartSettings, ChartSize, XAxis, YScale};

/// Props of [`ChartControls`].
#[derive(Properties, PartialEq)]
pub struct ChartControlsProps {
    /// Current settings.
    pub settings: ChartSettings,
    /// Dispatch.
    pub on_action: Callback<Action>,
}

fn select_value(e: &Event) -> Option<String> {
    e.target_dyn_into::<web_sys::HtmlSelectElement>()
        .map(|s| s.value())
}

/// The control bar.
#[function_component(ChartControls)]
pub fn chart_controls(props: &ChartControlsProps) -> Html {
    let s = &props.settings;
    let act = props.on_action.clone();
    let on_smooth = {
        let act = act.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(i) = e.target_dyn_into::<web_sys::HtmlInputElement>() {
                if let Ok(v) = i.value().parse::<f64>() {
                    act.emit(Action::SetSmoothing(v));
                }
            }
        })
    };
    let on_x = {
        let act = act.clone();
        Callback::from(move |e: Event| {
            let x = match select_value(&e).as_deref() {
                Some("wall") => XAxis::Wall,
                Some("rel") => XAxis::Relative,
                _ => XAxis::Step,
            };
            act.emit(Action::SetXAxis(x));
        })
    };
    let on_y = {
        let act = act.clone();
        Callback::from(move |e: Event| {
            let y = if select_value(&e).as_deref() == Some("log") {
                YScale::Log
            } else {
                YScale::Linear
            };
            act.emit(Action::SetYScale(y));
        })
    };
    let size_btn = |z: ChartSize, label: &'static str| {
        let act = act.clone();
        html! {
            <button class={classes!("seg", (s.size == z).then_some("on"))} data-size={label}
                onclick={Callback::from(move |_: MouseEvent| act.emit(Action::SetSize(z)))}>{ label }</button>
        }
    };
    let on_metric = {
        let act = act.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(i) = e.target_dyn_into::<web_sys::HtmlInputElement>() {
                act.emit(Action::SetMetricFilter(i.value()));
            }
        })
    };
    let xv = match s.x_axis {
        XAxis::Step => "step",
        XAxis::Wall => "wall",
        XAxis::Relative => "rel",
    };
    html! {
        <div class="controls">
            <label class="ctl">{ "Smoothing " }
                <input type="range" id="smoothing" min="0" max="0.999" step="0.001"
                    value={s.smoothing.to_string()} oninput={on_smooth} />
                <output id="smoothing-value">{ format!("{:.3}", s.smoothing) }</output>
            </label>
            <label class="ctl">{ "X " }
                <select id="x-axis" onchange={on_x}>
                    <option value="step" selected={xv == "step"}>{ "step" }</option>
                    <option value="wall" selected={xv == "wall"}>{ "wall time" }</option>
                    <option value="rel" selected={xv == "rel"}>{ "relative time" }</option>
                </select>
            </label>
            <label class="ctl">{ "Y " }
                <select id="y-scale" onchange={on_y}>
                    <option value="lin" selected={s.y_scale == YScale::Linear}>{ "linear" }</option>
                    <option value="log" selected={s.y_scale == YScale::Log}>{ "log" }</option>
                </select>
            </label>
            <span class="ctl">{ "Size " }{ size_btn(ChartSize::S, "S") }{ size_btn(ChartSize::M, "M") }{ size_btn(ChartSize::L, "L") }</span>
            <input type="search" class="metric-search" id="metric-search" placeholder="Search metrics"
                value={s.metric_filter.clone()} oninput={on_metric} />
        </div>
    }
}
