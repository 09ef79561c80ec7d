//! Signing in: the token lives in the store's meta (never in the URL); signing out, or a 401 from
//! the server, forgets it and keeps the outbox, so work done before is sent after the next
//! sign-in.

use crate::store::{Store, StoreError};
use crate::sync::http::{call, NetError, NO_BODY};
use jumun_protocol::auth::{LoggedOut, LoginRequest, LoginResponse, Role};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The meta record holding the session.
pub const META_SESSION: &str = "session";

/// Who is signed in, with the bearer token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// The bearer token.
    pub token: String,
    /// The store code.
    pub store: String,
    /// The user's login (the actor of local commands, as the server names it).
    pub login: String,
    /// The user's name.
    pub name: String,
    /// The store's name.
    #[serde(default)]
    pub store_name: String,
    /// What the user may do; sessions kept before roles were kept count as an operator's (the
    /// server still checks every write).
    #[serde(default = "operator")]
    pub role: Role,
}

fn operator() -> Role {
    Role::Operator
}

/// The Korean name of a role, as 설정 and the top bar show it.
pub fn role_korean(role: Role) -> &'static str {
    match role {
        Role::Owner => "대표",
        Role::Operator => "운영자",
        Role::Viewer => "조회자",
    }
}

/// The kept session, if any.
pub async fn load(store: &Store) -> Result<Option<Session>, StoreError> {
    Ok(store
        .meta_get::<Option<Session>>(META_SESSION)
        .await?
        .flatten())
}

/// Forgets the session (the outbox stays).
pub async fn forget(store: &Store) -> Result<(), StoreError> {
    store.meta_set(META_SESSION, &None::<Session>).await
}

/// Signs in with `POST /api/auth/login` and keeps the session.
pub async fn login(
    store: &Store,
    store_code: &str,
    login: &str,
    password: &str,
) -> Result<Session, String> {
    let form = LoginRequest {
        store: store_code.to_owned(),
        login: login.to_owned(),
        password: password.to_owned(),
    };
    let answer: LoginResponse = call("POST", "/api/auth/login", None, Some(&form))
        .await
        .map_err(|e| match e {
            NetError::Unauthorized => "상점 코드, 아이디 또는 비밀번호가 맞지 않습니다.".to_owned(),
            NetError::Offline => {
                "서버에 연결할 수 없습니다. 인터넷 연결을 확인하고 다시 시도하세요.".to_owned()
            }
            NetError::Status { message, .. } => format!("로그인하지 못했습니다: {message}"),
            other => other.to_string(),
        })?;
    let session = Session {
        token: answer.token,
        store: answer.store.code,
        login: answer.user.login,
        name: answer.user.name,
        store_name: answer.store.name,
        role: answer.user.role,
    };
    if session.token.is_empty() {
        return Err("서버의 응답에 토큰이 없습니다.".to_owned());
    }
    store
        .meta_set(META_SESSION, &Some(session.clone()))
        .await
        .map_err(|e| e.to_string())?;
    Ok(session)
}

/// Signs out: revokes the token on the server when reachable, and forgets it here.
pub async fn logout(store: &Store, session: &Session) -> Result<(), StoreError> {
    // Signed out here whatever the server says: it may be unreachable, and the token expires.
    let _ = call::<LoggedOut, ()>("POST", "/api/auth/logout", Some(&session.token), NO_BODY).await;
    forget(store).await
}

/// The sign-in form (상점 코드 / 아이디 / 비밀번호); `on_login` gets the new session.
#[component]
pub fn LoginForm(
    store: StoredValue<Option<std::rc::Rc<Store>>, LocalStorage>,
    on_login: Callback<Session>,
) -> impl IntoView {
    let store_code = RwSignal::new(String::new());
    let user = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(db) = store.get_value() else {
            return;
        };
        busy.set(true);
        // Read while the form is certainly alive: the task runs a tick later.
        let (code, name, secret) = (
            store_code.get_untracked(),
            user.get_untracked(),
            password.get_untracked(),
        );
        leptos::task::spawn_local(async move {
            let result = login(&db, code.trim(), name.trim(), &secret).await;
            busy.set(false);
            match result {
                Ok(session) => {
                    password.set(String::new());
                    error.set(None);
                    on_login.run(session);
                }
                Err(message) => error.set(Some(message)),
            }
        });
    };
    view! {
        <section class="login-panel" aria-labelledby="login-title">
            <h1 id="login-title">"로그인"</h1>
            <form class="login-form" on:submit=submit>
                <label>
                    "상점 코드"
                    <input name="store" autocomplete="organization" required
                        prop:value=store_code
                        on:input=move |ev| store_code.set(event_target_value(&ev))/>
                </label>
                <label>
                    "아이디"
                    <input name="login" autocomplete="username" required
                        prop:value=user
                        on:input=move |ev| user.set(event_target_value(&ev))/>
                </label>
                <label>
                    "비밀번호"
                    <input name="password" type="password" autocomplete="current-password" required
                        prop:value=password
                        on:input=move |ev| password.set(event_target_value(&ev))/>
                </label>
                <button type="submit" disabled=move || busy.get()>"로그인"</button>
                {move || error.get().map(|m| view! { <p class="login-error" role="alert">{m}</p> })}
            </form>
        </section>
    }
}
