//! The Import Contacts wizard's frame: the four stages and the first one's
//! layout. Reading, mapping and importing arrive with the import core.

use leptos::prelude::*;
use leptos_router::components::A;

const STAGES: [&str; 4] = ["Input", "Mapping", "Group", "Summary"];

#[component]
pub fn ImportPage() -> impl IntoView {
    let tab = RwSignal::new("paste");
    view! {
        <section class="page page--narrow">
            <div class="page__header">
                <h1 class="page__title">"Import Contacts"</h1>
                <A href="/contacts" attr:class="button">"Back to contacts"</A>
            </div>
            <ol class="stages" data-testid="import-stages">
                {STAGES.iter().enumerate().map(|(i, s)| view! {
                    <li class="stages__item" class:stages__item--active=i == 0>
                        <span class="stages__number">{i + 1}</span>{*s}
                    </li>
                }).collect_view()}
            </ol>
            <div class="card">
                <div class="tabs" role="tablist">
                    <button class="tabs__tab" class:tabs__tab--active=move || tab.get() == "paste" role="tab" on:click=move |_| tab.set("paste")>
                        "Type or paste"
                    </button>
                    <button class="tabs__tab" class:tabs__tab--active=move || tab.get() == "file" role="tab" on:click=move |_| tab.set("file")>
                        "File upload"
                    </button>
                </div>
                <Show
                    when=move || tab.get() == "paste"
                    fallback=|| view! {
                        <div class="dropzone">
                            <p>"Spreadsheets (xlsx, xls, ods, csv, tsv) will be read right here in your browser."</p>
                        </div>
                    }
                >
                    <textarea class="input textarea" rows="8" placeholder="First name, Last name, Phone, E-mail — one contact per line"></textarea>
                </Show>
                <p class="muted" data-testid="import-coming">
                    "The import wizard is being built: reading, column mapping and the import itself are coming next. Until then, add contacts one by one."
                </p>
                <div class="form__actions">
                    <button class="button button--primary" disabled=true>"Continue"</button>
                </div>
            </div>
        </section>
    }
}
