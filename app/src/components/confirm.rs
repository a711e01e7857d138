use leptos::prelude::*;

/// What a confirmation dialog asks.
#[derive(Clone, Debug, PartialEq)]
pub struct Confirmation {
    pub title: String,
    pub body: String,
    pub action: String,
}

/// A modal asking to confirm a destructive action; shown while `open` holds Some.
#[component]
pub fn ConfirmDialog(
    open: RwSignal<Option<Confirmation>>,
    #[prop(into)] on_confirm: Callback<()>,
) -> impl IntoView {
    view! {
        <Show when=move || open.with(Option::is_some)>
            <div class="modal" role="dialog" aria-modal="true" data-testid="confirm-dialog">
                <div class="modal__box">
                    <h2 class="modal__title">{move || open.get().map(|c| c.title)}</h2>
                    <p class="modal__body">{move || open.get().map(|c| c.body)}</p>
                    <div class="modal__actions">
                        <button class="button" data-testid="confirm-cancel" on:click=move |_| open.set(None)>
                            "Cancel"
                        </button>
                        <button
                            class="button button--danger"
                            data-testid="confirm-ok"
                            on:click=move |_| {
                                open.set(None);
                                on_confirm.run(());
                            }
                        >
                            {move || open.get().map(|c| c.action)}
                        </button>
                    </div>
                </div>
            </div>
        </Show>
    }
}
