//! Groups: create, rename, delete (contacts stay), member counts.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;

use crate::api::{create_group, delete_group, list_groups, rename_group};
use crate::components::{thousands, ConfirmDialog, Confirmation};
use crate::model::{ContactQuery, GroupFilter, GroupView};

#[component]
pub fn GroupsPage() -> impl IntoView {
    let version = RwSignal::new(0u32);
    let groups = Resource::new(move || version.get(), |_| list_groups());
    let message = RwSignal::new(None::<(bool, String)>);
    let refresh = move |outcome: Result<String, crate::AppError>| {
        match outcome {
            Ok(m) => message.set(Some((false, m))),
            Err(e) => message.set(Some((true, e.to_string()))),
        }
        version.update(|v| *v += 1);
    };

    let new_name = RwSignal::new(String::new());
    let on_create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let name = new_name.get_untracked();
        spawn_local(async move {
            let r = create_group(name)
                .await
                .map(|g| format!("Group \"{}\" created.", g.name));
            if r.is_ok() {
                new_name.set(String::new());
            }
            refresh(r);
        });
    };

    let dialog = RwSignal::new(None::<Confirmation>);
    let pending = RwSignal::new(None::<i64>);
    let ask_delete = Callback::new(move |g: GroupView| {
        pending.set(Some(g.id));
        dialog.set(Some(Confirmation {
            title: format!("Delete the group \"{}\"?", g.name),
            body: format!(
                "Its {} contact{} stay in your contacts; they just leave this group.",
                thousands(g.member_count),
                if g.member_count == 1 { "" } else { "s" }
            ),
            action: "Delete group".into(),
        }));
    });
    let on_delete = move |_| {
        let Some(id) = pending.get_untracked() else {
            return;
        };
        spawn_local(
            async move { refresh(delete_group(id).await.map(|_| "Group deleted.".into())) },
        );
    };
    let on_rename = Callback::new(move |(id, name): (i64, String)| {
        spawn_local(async move {
            refresh(
                rename_group(id, name)
                    .await
                    .map(|_| "Group renamed.".into()),
            )
        });
    });

    view! {
        <section class="page page--narrow">
            <div class="page__header">
                <h1 class="page__title">"Groups"</h1>
                <A href="/contacts" attr:class="button">"Back to contacts"</A>
            </div>
            <form class="card inline-form" on:submit=on_create>
                <input
                    class="input"
                    placeholder="New group name"
                    aria-label="New group name"
                    data-testid="group-name"
                    prop:value=move || new_name.get()
                    on:input=move |ev| new_name.set(event_target_value(&ev))
                />
                <button type="submit" class="button button--primary" data-testid="group-create">"Create group"</button>
            </form>
            {move || message.get().map(|(error, m)| view! {
                <p class=if error { "error" } else { "notice" } data-testid="group-message">{m}</p>
            })}
            <Transition fallback=|| view! { <p class="muted">"Loading groups…"</p> }>
                {move || Suspend::new(async move {
                    match groups.await {
                        Ok(list) if list.is_empty() => view! {
                            <div class="card empty"><p>"No groups yet. Groups let you message many contacts at once."</p></div>
                        }.into_any(),
                        Ok(list) => view! {
                            <table class="table" data-testid="groups-table">
                                <thead><tr><th>"Name"</th><th>"Contacts"</th><th class="table__actions"></th></tr></thead>
                                <tbody>
                                    {list.into_iter().map(|g| view! { <GroupRow group=g ask_delete on_rename /> }).collect_view()}
                                </tbody>
                            </table>
                        }.into_any(),
                        Err(e) => view! { <p class="error">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
            <ConfirmDialog open=dialog on_confirm=on_delete />
        </section>
    }
}

#[component]
fn GroupRow(
    group: GroupView,
    ask_delete: Callback<GroupView>,
    on_rename: Callback<(i64, String)>,
) -> impl IntoView {
    let editing = RwSignal::new(false);
    let name = RwSignal::new(group.name.clone());
    let id = group.id;
    let link = ContactQuery {
        group: GroupFilter::Group(id),
        ..Default::default()
    }
    .to_url();
    let shown = group.name.clone();
    let testid = group.name.clone();
    view! {
        <tr data-testid=format!("group-row-{testid}")>
            <td>
                <Show
                    when=move || editing.get()
                    fallback=move || {
                        let (link, shown) = (link.clone(), shown.clone());
                        view! { <A href=link>{shown}</A> }
                    }
                >
                    <form class="inline-form" on:submit=move |ev| {
                        ev.prevent_default();
                        editing.set(false);
                        on_rename.run((id, name.get_untracked()));
                    }>
                        <input class="input" aria-label="Group name" data-testid="group-rename-input"
                            prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
                        <button type="submit" class="button button--small button--primary" data-testid="group-rename-save">"Save"</button>
                        <button type="button" class="button button--small" on:click=move |_| editing.set(false)>"Cancel"</button>
                    </form>
                </Show>
            </td>
            <td data-testid="group-count">{thousands(group.member_count)}</td>
            <td class="table__actions">
                <button class="button button--small" data-testid="group-rename" on:click=move |_| editing.set(true)>"Rename"</button>
                <button class="button button--small button--danger-text" data-testid="group-delete" on:click=move |_| ask_delete.run(group.clone())>
                    "Delete"
                </button>
            </td>
        </tr>
    }
}
