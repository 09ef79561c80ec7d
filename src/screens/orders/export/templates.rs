//! The operator's column templates (양식): kept in the store's meta (this browser, so they work
//! offline), and the editor that builds them — fields from `jumun-export`'s list, headers,
//! order, which lines. `ColumnTemplate::validate` decides what is valid; its Korean messages
//! are shown as they are. The built-in templates are offered for copying, never edited.

use crate::context::console;
use crate::store::{Store, StoreError};
use jumun_export::{Column, ColumnTemplate, Field, LineSelection, TemplateError};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// The meta record holding the operator's templates.
pub const META_EXPORT_TEMPLATES: &str = "export_templates";

/// Why a template cannot be saved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SaveError {
    /// The template is not valid.
    #[error(transparent)]
    Invalid(#[from] TemplateError),
    /// The name is a built-in template's.
    #[error("'{0}'은(는) 기본 제공 양식의 이름입니다. 다른 이름을 입력하세요.")]
    BuiltinName(String),
    /// Another of the operator's templates has the name.
    #[error("'{0}' 양식이 이미 있습니다. 다른 이름을 입력하세요.")]
    NameTaken(String),
    /// The store failed.
    #[error("{0}")]
    Store(String),
}

impl From<StoreError> for SaveError {
    fn from(e: StoreError) -> Self {
        SaveError::Store(e.to_string())
    }
}

/// The operator's templates, in the order they were first saved.
pub async fn load(store: &Store) -> Result<Vec<ColumnTemplate>, StoreError> {
    Ok(store
        .meta_get::<Vec<ColumnTemplate>>(META_EXPORT_TEMPLATES)
        .await?
        .unwrap_or_default())
}

/// Saves `template` (its name trimmed) after checking it; `replacing` names the template it
/// was opened from, which it replaces in place (renamed or not). Returns the new list.
pub async fn save(
    store: &Store,
    mut template: ColumnTemplate,
    replacing: Option<&str>,
) -> Result<Vec<ColumnTemplate>, SaveError> {
    template.name = template.name.trim().to_owned();
    template.validate()?;
    if ColumnTemplate::builtin()
        .iter()
        .any(|b| b.name == template.name)
    {
        return Err(SaveError::BuiltinName(template.name));
    }
    let mut all = load(store).await?;
    if replacing != Some(template.name.as_str()) && all.iter().any(|t| t.name == template.name) {
        return Err(SaveError::NameTaken(template.name));
    }
    match all.iter_mut().find(|t| Some(t.name.as_str()) == replacing) {
        Some(kept) => *kept = template,
        None => all.push(template),
    }
    store.meta_set(META_EXPORT_TEMPLATES, &all).await?;
    Ok(all)
}

/// Deletes the operator's template of this name. Returns the new list.
pub async fn delete(store: &Store, name: &str) -> Result<Vec<ColumnTemplate>, StoreError> {
    let mut all = load(store).await?;
    all.retain(|t| t.name != name);
    store.meta_set(META_EXPORT_TEMPLATES, &all).await?;
    Ok(all)
}

/// The name a copy gets: `기본 사본`, `기본 사본 2`, … whichever is free.
fn copy_name(name: &str, own: &[ColumnTemplate]) -> String {
    let taken = |candidate: &str| own.iter().any(|t| t.name == candidate);
    let first = format!("{name} 사본");
    if !taken(&first) {
        return first;
    }
    (2..)
        .map(|n| format!("{first} {n}"))
        .find(|candidate| !taken(candidate))
        .unwrap_or(first)
}

/// What the editor has open: a template and the name of the one it replaces (none for a new
/// one or a copy).
type Editing = Option<(ColumnTemplate, Option<String>)>;

/// 양식 관리: the built-in templates (to copy), the operator's own (to edit or delete), and the
/// editor. `own` is the operator's list, shared with the export form.
#[component]
pub fn TemplateManager(own: RwSignal<Vec<ColumnTemplate>>) -> impl IntoView {
    let console = console();
    let editing: RwSignal<Editing> = RwSignal::new(None);
    let error = RwSignal::new(None::<String>);
    let remove = move |name: String| {
        let Some(store) = console.store() else { return };
        leptos::task::spawn_local(async move {
            match delete(&store, &name).await {
                Ok(list) => {
                    own.set(list);
                    editing.update(|e| {
                        if e.as_ref().and_then(|(_, r)| r.as_deref()) == Some(name.as_str()) {
                            *e = None;
                        }
                    });
                }
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    };
    let copy = move |template: &ColumnTemplate| {
        let mut copy = template.clone();
        copy.name = own.with_untracked(|own| copy_name(&template.name, own));
        editing.set(Some((copy, None)));
    };
    let new_template = move |_| {
        editing.set(Some((
            ColumnTemplate {
                name: String::new(),
                columns: Vec::new(),
                lines: LineSelection::All,
            },
            None,
        )))
    };

    view! {
        <div class="template-manager">
            <div class="template-list">
                <h3>"기본 제공 양식"</h3>
                <ul>
                    {ColumnTemplate::builtin().into_iter().map(|template| {
                        let summary = columns_summary(&template);
                        let name = template.name.clone();
                        view! {
                            <li>
                                <span class="template-name">{name.clone()}</span>
                                <span class="muted small">{summary}</span>
                                <button type="button" aria-label=format!("{name} 복사해서 새 양식 만들기")
                                    on:click=move |_| copy(&template)>"복사"</button>
                            </li>
                        }
                    }).collect_view()}
                </ul>
                <h3>"내 양식"</h3>
                {move || {
                    let list = own.get();
                    if list.is_empty() {
                        view! { <p class="muted small">"아직 만든 양식이 없습니다. 기본 양식을 복사하거나 새로 만드세요."</p> }.into_any()
                    } else {
                        view! {
                            <ul>
                                {list.into_iter().map(|template| {
                                    let summary = columns_summary(&template);
                                    let name = template.name.clone();
                                    let edit_name = name.clone();
                                    let delete_name = name.clone();
                                    view! {
                                        <li>
                                            <span class="template-name">{name.clone()}</span>
                                            <span class="muted small">{summary}</span>
                                            <button type="button" aria-label=format!("{name} 편집")
                                                on:click=move |_| editing.set(Some((template.clone(), Some(edit_name.clone()))))>
                                                "편집"
                                            </button>
                                            <button type="button" aria-label=format!("{name} 삭제")
                                                on:click=move |_| remove(delete_name.clone())>"삭제"</button>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        }.into_any()
                    }
                }}
                <button type="button" on:click=new_template>"새 양식"</button>
                {move || error.get().map(|message| view! { <p class="error-inline" role="alert">{message}</p> })}
            </div>
            {move || match editing.get() {
                Some((template, replacing)) => view! {
                    <TemplateEditor template=template replacing=replacing own=own editing=editing/>
                }.into_any(),
                None => view! {
                    <p class="template-editor-empty muted">"왼쪽에서 양식을 고르거나 새로 만드세요."</p>
                }.into_any(),
            }}
        </div>
    }
}

/// "열 8개 · 배송할 상품만".
pub fn columns_summary(template: &ColumnTemplate) -> String {
    format!(
        "열 {}개 · {}",
        template.columns.len(),
        lines_label(template.lines)
    )
}

/// How the form names a line selection.
pub fn lines_label(lines: LineSelection) -> &'static str {
    match lines {
        LineSelection::All => "모든 상품",
        LineSelection::Shipping => "배송할 상품만",
    }
}

/// A column being edited; `key` keeps its row (and the focus in it) when columns move.
#[derive(Clone)]
struct DraftColumn {
    key: u64,
    field: Field,
    header: RwSignal<String>,
}

/// Moves focus to the element with this id once the list has been redrawn (a moved row loses
/// the focus its button had).
fn focus_later(id: String) {
    request_animation_frame(move || {
        if let Some(element) = document()
            .get_element_by_id(&id)
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = element.focus();
        }
    });
}

/// The editor of one template.
#[component]
fn TemplateEditor(
    template: ColumnTemplate,
    replacing: Option<String>,
    own: RwSignal<Vec<ColumnTemplate>>,
    editing: RwSignal<Editing>,
) -> impl IntoView {
    let console = console();
    let next_key = StoredValue::new(0u64);
    let draft = move |column: &Column| {
        let key = next_key.get_value();
        next_key.set_value(key + 1);
        DraftColumn {
            key,
            field: column.field,
            header: RwSignal::new(column.header.clone()),
        }
    };
    let name = RwSignal::new(template.name.clone());
    let lines = RwSignal::new(template.lines);
    let columns = RwSignal::new(template.columns.iter().map(draft).collect::<Vec<_>>());
    let to_add = RwSignal::new(0usize);
    let error = RwSignal::new(None::<String>);
    let saved = RwSignal::new(false);
    // After the first save, later saves replace what was saved.
    let replacing = RwSignal::new(replacing);
    let title = move || {
        if replacing.with(Option::is_some) {
            "양식 편집"
        } else {
            "새 양식"
        }
    };

    let position =
        move |key: u64| columns.with(|cs| cs.iter().position(|c| c.key == key).unwrap_or_default());
    let move_column = move |key: u64, up: bool| {
        let mut moved = false;
        columns.update(|cs| {
            let Some(at) = cs.iter().position(|c| c.key == key) else {
                return;
            };
            let to = if up { at.checked_sub(1) } else { Some(at + 1) };
            if let Some(to) = to.filter(|to| *to < cs.len()) {
                cs.swap(at, to);
                moved = true;
            }
        });
        if moved {
            focus_later(format!("column-{key}-{}", if up { "up" } else { "down" }));
        }
    };
    let add = move |_| {
        let Some(field) = Field::ALL.get(to_add.get_untracked()).copied() else {
            return;
        };
        let column = draft(&Column::new(field));
        let key = column.key;
        columns.update(|cs| cs.push(column));
        focus_later(format!("column-{key}-header"));
    };
    let save_template = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let Some(store) = console.store() else { return };
        let template = ColumnTemplate {
            name: name.get_untracked(),
            columns: columns.with_untracked(|cs| {
                cs.iter()
                    .map(|c| Column {
                        header: c.header.get_untracked(),
                        field: c.field,
                    })
                    .collect()
            }),
            lines: lines.get_untracked(),
        };
        let replaced = replacing.get_untracked();
        leptos::task::spawn_local(async move {
            match save(&store, template.clone(), replaced.as_deref()).await {
                Ok(list) => {
                    own.set(list);
                    error.set(None);
                    saved.set(true);
                    replacing.set(Some(template.name.trim().to_owned()));
                }
                Err(e) => {
                    saved.set(false);
                    error.set(Some(e.to_string()));
                }
            }
        });
    };

    view! {
        <form class="template-editor" on:submit=save_template aria-label=title>
            <h3>{title}</h3>
            <div class="editor-row">
                <label>"양식 이름 "
                    <input type="text" required maxlength="60" prop:value=name
                        on:input=move |ev| { name.set(event_target_value(&ev)); saved.set(false); }/>
                </label>
                <fieldset class="choice">
                    <legend>"내보낼 상품"</legend>
                    {[LineSelection::All, LineSelection::Shipping].into_iter().map(|choice| view! {
                        <label>
                            <input type="radio" name="template-lines"
                                prop:checked=move || lines.get() == choice
                                on:change=move |_| { lines.set(choice); saved.set(false); }/>
                            {lines_label(choice)}
                        </label>
                    }).collect_view()}
                </fieldset>
            </div>
            <table class="column-table">
                <caption class="sr-only">"열 (왼쪽부터)"</caption>
                <thead>
                    <tr><th class="num">"순서"</th><th>"항목"</th><th>"열 제목"</th><th>"옮기기 · 빼기"</th></tr>
                </thead>
                <tbody>
                    <For each=move || columns.get() key=|c| c.key let:column>
                        {
                            let key = column.key;
                            let header = column.header;
                            let field = column.field.korean();
                            view! {
                                <tr>
                                    <td class="num">{move || position(key) + 1}</td>
                                    <td>{field}</td>
                                    <td>
                                        <input type="text" id=format!("column-{key}-header")
                                            aria-label=move || format!("{}번째 열 제목 ({field})", position(key) + 1)
                                            prop:value=header
                                            on:input=move |ev| { header.set(event_target_value(&ev)); saved.set(false); }/>
                                    </td>
                                    <td class="column-actions">
                                        <button type="button" id=format!("column-{key}-up")
                                            aria-label=move || format!("{}번째 열 위로", position(key) + 1)
                                            disabled=move || position(key) == 0
                                            on:click=move |_| { move_column(key, true); saved.set(false); }>"↑"</button>
                                        <button type="button" id=format!("column-{key}-down")
                                            aria-label=move || format!("{}번째 열 아래로", position(key) + 1)
                                            disabled=move || { position(key) + 1 >= columns.with(Vec::len) }
                                            on:click=move |_| { move_column(key, false); saved.set(false); }>"↓"</button>
                                        <button type="button"
                                            aria-label=move || format!("{}번째 열 빼기", position(key) + 1)
                                            on:click=move |_| { columns.update(|cs| cs.retain(|c| c.key != key)); saved.set(false); }>"빼기"</button>
                                    </td>
                                </tr>
                            }
                        }
                    </For>
                </tbody>
            </table>
            <div class="editor-row">
                <label>"항목 "
                    <select on:change=move |ev| to_add.set(event_target_value(&ev).parse().unwrap_or_default())>
                        {Field::ALL.iter().enumerate().map(|(i, field)| view! {
                            <option value=i.to_string() selected=move || to_add.get() == i>{field.korean()}</option>
                        }).collect_view()}
                    </select>
                </label>
                <button type="button" on:click=add>"열 추가"</button>
                <span class="spacer"></span>
                {move || saved.get().then(|| view! { <span class="saved-note" role="status">"저장했습니다"</span> })}
                <button type="button" on:click=move |_| editing.set(None)>"닫기"</button>
                <button type="submit" class="primary">"저장"</button>
            </div>
            {move || error.get().map(|message| view! { <p class="error-inline" role="alert">{message}</p> })}
        </form>
    }
}
