//! The pages open without a session: log in, sign up, join by invitation.
//! Each posts its form to a server function and, once logged in, loads the
//! app afresh (every part of it then runs with the new session).

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::{accept_invitation, invitation_account, log_in_user, setup_state, sign_up};
use crate::auth::{
    check_credentials, check_sign_up, safe_next, InvitationForm, LoginForm, SignUpForm,
    MIN_PASSWORD,
};
use crate::AppError;

#[component]
pub fn LoginPage() -> impl IntoView {
    let query = use_query_map();
    let next = move || safe_next(&query.with(|q| q.get("next").unwrap_or_default())).to_string();
    let setup = Resource::new(|| (), |_| setup_state());
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let status = Status::new();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let form = LoginForm {
            email: email.get_untracked(),
            password: password.get_untracked(),
        };
        let next = next();
        status.run(async move { log_in_user(form).await.map(|_| next) });
    };
    view! {
        <AuthCard title="Log in" testid="login">
            <Suspense fallback=|| ()>
                {move || setup.get().and_then(|s| s.ok()).filter(|s| s.first_run).map(|_| view! {
                    <p class="notice notice--info" data-testid="first-run">
                        "No one has signed up yet. "
                        <A href="/signup">"Create the first account"</A>
                        " to start."
                    </p>
                })}
            </Suspense>
            <form class="form" on:submit=on_submit>
                <TextField label="E-mail" kind="email" autocomplete="username" value=email testid="login-email" />
                <TextField label="Password" kind="password" autocomplete="current-password" value=password testid="login-password" />
                <StatusLine status />
                <button type="submit" class="button button--primary" data-testid="login-submit" disabled=move || status.busy.get()>
                    "Log in"
                </button>
            </form>
            <p class="auth__switch">"New here? " <A href="/signup">"Create an account"</A></p>
        </AuthCard>
    }
}

#[component]
pub fn SignUpPage() -> impl IntoView {
    let setup = Resource::new(|| (), |_| setup_state());
    let account = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    // Proposed from the browser's language once the page runs in it;
    // empty: the server's default.
    let country = RwSignal::new(String::new());
    Effect::new(move || {
        #[cfg(feature = "hydrate")]
        if let Some(r) = leptos::prelude::window()
            .navigator()
            .language()
            .as_deref()
            .and_then(crate::import::validate::region_of_locale)
        {
            country.set(r.code().to_string());
        }
    });
    let status = Status::new();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let form = SignUpForm {
            account_name: account.get_untracked(),
            email: email.get_untracked(),
            password: password.get_untracked(),
            country: country.get_untracked(),
        };
        if let Err(problems) = check_sign_up(&form) {
            status.error.set(Some(problems.join(" ")));
            return;
        }
        status.run(async move { sign_up(form).await.map(|_| "/contacts".to_string()) });
    };
    view! {
        <AuthCard title="Create an account" testid="signup">
            <Suspense fallback=|| ()>
                {move || setup.get().and_then(|s| s.ok()).filter(|s| s.first_run).map(|_| view! {
                    <p class="notice notice--info" data-testid="first-run">
                        "This is the first account here: it keeps any contacts already imported from the command line."
                    </p>
                })}
            </Suspense>
            <form class="form" on:submit=on_submit>
                <TextField label="Account name" kind="text" autocomplete="organization" value=account testid="signup-account"
                    hint="Your organisation's name. You can invite colleagues into it later." />
                <TextField label="E-mail" kind="email" autocomplete="username" value=email testid="signup-email" />
                <TextField label="Password" kind="password" autocomplete="new-password" value=password testid="signup-password"
                    hint=format!("At least {MIN_PASSWORD} characters.") />
                <label class="field">
                    <span class="field__label">"Country"</span>
                    <select class="input" data-testid="signup-country" prop:value=move || country.get()
                        on:change=move |ev| country.set(event_target_value(&ev))>
                        <option value="" selected=move || country.get().is_empty()>"Choose your country"</option>
                        {crate::import::validate::REGIONS.iter().map(|(code, name)| view! {
                            <option value=*code selected=move || country.get() == *code>{format!("{name} ({code})")}</option>
                        }).collect_view()}
                    </select>
                    <span class="field__hint">"Phone numbers typed or imported without a country code are read as this country's. You can change it in Settings."</span>
                </label>
                <StatusLine status />
                <button type="submit" class="button button--primary" data-testid="signup-submit" disabled=move || status.busy.get()>
                    "Create account"
                </button>
            </form>
            <p class="auth__switch">"Already have a login? " <A href="/login">"Log in"</A></p>
        </AuthCard>
    }
}

#[component]
pub fn InvitePage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.with(|p| p.get("token").unwrap_or_default());
    let account = Resource::new(token, invitation_account);
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let status = Status::new();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let form = InvitationForm {
            token: token(),
            email: email.get_untracked(),
            password: password.get_untracked(),
        };
        if let Err(problems) = check_credentials(&form.email, &form.password) {
            status.error.set(Some(problems.join(" ")));
            return;
        }
        status.run(async move {
            accept_invitation(form)
                .await
                .map(|_| "/contacts".to_string())
        });
    };
    view! {
        <AuthCard title="Join an account" testid="invite">
            <Suspense fallback=|| view! { <p class="muted">"Checking the invitation…"</p> }>
                {move || account.get().map(|r| match r {
                    Ok(name) => view! {
                        <p data-testid="invite-account">"You are invited into " <strong>{name}</strong> ". Choose your login:"</p>
                        <form class="form" on:submit=on_submit>
                            <TextField label="E-mail" kind="email" autocomplete="username" value=email testid="invite-email" />
                            <TextField label="Password" kind="password" autocomplete="new-password" value=password testid="invite-password"
                                hint=format!("At least {MIN_PASSWORD} characters.") />
                            <StatusLine status />
                            <button type="submit" class="button button--primary" data-testid="invite-submit" disabled=move || status.busy.get()>
                                "Join"
                            </button>
                        </form>
                    }.into_any(),
                    Err(e) => view! { <p class="error" data-testid="invite-error">{e.to_string()}</p> }.into_any(),
                })}
            </Suspense>
        </AuthCard>
    }
}

/// A form's progress: sending, and the error it got.
#[derive(Clone, Copy)]
struct Status {
    busy: RwSignal<bool>,
    error: RwSignal<Option<String>>,
}

impl Status {
    fn new() -> Self {
        Status {
            busy: RwSignal::new(false),
            error: RwSignal::new(None),
        }
    }

    /// Sends once at a time; on success loads the page it answers with.
    fn run(self, send: impl std::future::Future<Output = Result<String, AppError>> + 'static) {
        if self.busy.get_untracked() {
            return;
        }
        self.busy.set(true);
        self.error.set(None);
        spawn_local(async move {
            match send.await {
                Ok(next) => crate::browser::go_to(&next),
                Err(e) => {
                    self.error.set(Some(e.to_string()));
                    self.busy.set(false);
                }
            }
        });
    }
}

#[component]
fn StatusLine(status: Status) -> impl IntoView {
    move || {
        status
            .error
            .get()
            .map(|m| view! { <p class="error" role="alert" data-testid="auth-error">{m}</p> })
    }
}

#[component]
fn AuthCard(title: &'static str, testid: &'static str, children: Children) -> impl IntoView {
    view! {
        <section class="auth" data-testid=format!("{testid}-page")>
            <div class="card auth__card">
                <h1 class="page__title">{title}</h1>
                {children()}
            </div>
        </section>
    }
}

#[component]
fn TextField(
    label: &'static str,
    kind: &'static str,
    autocomplete: &'static str,
    value: RwSignal<String>,
    testid: &'static str,
    #[prop(optional, into)] hint: Option<String>,
) -> impl IntoView {
    view! {
        <label class="field">
            <span class="field__label">{label}</span>
            <input class="input" type=kind autocomplete=autocomplete required data-testid=testid
                prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev)) />
            {hint.map(|h| view! { <span class="field__hint">{h}</span> })}
        </label>
    }
}
