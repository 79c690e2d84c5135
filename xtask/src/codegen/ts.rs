//! Generator `ts`: TypeScript declarations for the wasm-bindgen module, from the core's serde types.
//!
//! Reads every `pub struct`/`pub enum` deriving `Serialize` or `Deserialize` under `core/src/` (except
//! `generated/`), applies the serde attributes that shape JSON (`rename`, `rename_all`, `skip_serializing_if`,
//! `default`, `flatten`, `untagged`, `tag`/`content`, `transparent`) and writes `wasm/src/types.rs`: one
//! `typescript_custom_section` that wasm-bindgen copies into `ioclens_wasm.d.ts`. The exports name these types
//! through `unchecked_param_type`/`unchecked_return_type`, so the `.d.ts` is never written by hand.
//!
//! TypeScript has one namespace, so two exported Rust types with the same name (in different modules) would leave
//! one of them undeclared and every field of the other's type pointing at the wrong shape: the generator fails on
//! such a clash instead of keeping the first one it reads. Rename one of the Rust types.
#![expect(
    clippy::disallowed_methods,
    reason = "xtask runs on the host: reading core's sources is its job"
)]
use super::Output;
use anyhow::{Context, Result, bail};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

pub(crate) fn generate(root: &Path) -> Result<Vec<Output>> {
    let core = root.join("core/src");
    let mut files = Vec::new();
    walk(&core, &mut files)?;
    files.sort();
    let mut decls = Decls::default();
    for file in &files {
        let rel = file.strip_prefix(root).unwrap_or(file).to_string_lossy().replace('\\', "/");
        let text = std::fs::read_to_string(file).with_context(|| format!("reading {rel}"))?;
        let ast = syn::parse_file(&text).with_context(|| format!("parsing {rel}"))?;
        collect(&ast.items, &rel, &mut decls);
    }
    if !decls.clashes.is_empty() {
        bail!(
            "exported types share a TypeScript name (rename one of the Rust types): {}",
            decls.clashes.join("; ")
        );
    }
    let decls = decls.map;
    let mut ts = String::new();
    for (name, (source, decl)) in &decls {
        let _ = writeln!(ts, "/** `{name}` ({source}). */\n{decl}");
    }
    let contents = format!(
        "{}//! TypeScript declarations of the core's wire types, appended to `ioclens_wasm.d.ts` by wasm-bindgen.\n\n\
         use wasm_bindgen::prelude::wasm_bindgen;\n\n\
         #[wasm_bindgen(typescript_custom_section)]\n\
         const TYPES: &str = r#\"\n{ts}\"#;\n",
        super::header("the serde types in core/src")
    );
    Ok(vec![Output { path: "wasm/src/types.rs".to_owned(), contents }])
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = entry?.path();
        if path.is_dir() {
            if path.file_name().is_some_and(|n| n != "generated") {
                walk(&path, out)?;
            }
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    Ok(())
}

/// The declarations read so far: name → (source file, TypeScript), and the names declared twice.
#[derive(Default)]
struct Decls {
    map: BTreeMap<String, (String, String)>,
    clashes: Vec<String>,
}

impl Decls {
    fn insert(&mut self, name: String, source: &str, decl: String) {
        match self.map.entry(name) {
            std::collections::btree_map::Entry::Vacant(v) => {
                v.insert((source.to_owned(), decl));
            }
            std::collections::btree_map::Entry::Occupied(o) => {
                self.clashes.push(format!("`{}` in {} and {source}", o.key(), o.get().0));
            }
        }
    }
}

fn collect(items: &[syn::Item], source: &str, decls: &mut Decls) {
    for item in items {
        match item {
            syn::Item::Struct(s) if is_pub(&s.vis) && is_serde(&s.attrs) && !is_test(&s.attrs) => {
                let name = s.ident.to_string();
                let decl = struct_decl(&name, s);
                decls.insert(name, source, decl);
            }
            syn::Item::Enum(e) if is_pub(&e.vis) && is_serde(&e.attrs) && !is_test(&e.attrs) => {
                let name = e.ident.to_string();
                let decl = enum_decl(&name, e);
                decls.insert(name, source, decl);
            }
            syn::Item::Mod(m) if !is_test(&m.attrs) => {
                if let Some((_, items)) = &m.content {
                    collect(items, source, decls);
                }
            }
            _ => {}
        }
    }
}

fn is_pub(vis: &syn::Visibility) -> bool {
    matches!(vis, syn::Visibility::Public(_))
}

fn is_test(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| {
        a.path().is_ident("cfg") && a.parse_args::<syn::Ident>().is_ok_and(|i| i == "test")
    })
}

fn is_serde(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().filter(|a| a.path().is_ident("derive")).any(|a| {
        let mut found = false;
        let _ = a.parse_nested_meta(|m| {
            if m.path.is_ident("Serialize") || m.path.is_ident("Deserialize") {
                found = true;
            }
            Ok(())
        });
        found
    })
}

/// The serde attributes that change the JSON shape.
#[derive(Default)]
#[expect(
    clippy::struct_excessive_bools,
    reason = "one flag per serde attribute, read independently"
)]
struct Serde {
    rename: Option<String>,
    rename_all: Option<String>,
    optional: bool,
    flatten: bool,
    skip: bool,
    untagged: bool,
    transparent: bool,
    tag: Option<String>,
    content: Option<String>,
}

fn serde_attrs(attrs: &[syn::Attribute]) -> Serde {
    let mut s = Serde::default();
    for a in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let _ = a.parse_nested_meta(|m| {
            let key = m.path.get_ident().map(ToString::to_string).unwrap_or_default();
            let value = || -> Option<String> {
                m.value().ok()?.parse::<syn::LitStr>().ok().map(|l| l.value())
            };
            match key.as_str() {
                "rename" => s.rename = value(),
                "rename_all" => s.rename_all = value(),
                "tag" => s.tag = value(),
                "content" => s.content = value(),
                "default" | "skip_serializing_if" => {
                    s.optional = true;
                    let _ = value();
                }
                "flatten" => s.flatten = true,
                "skip" | "skip_serializing" => s.skip = true,
                "untagged" => s.untagged = true,
                "transparent" => s.transparent = true,
                _ => {
                    let _ = value();
                }
            }
            Ok(())
        });
    }
    s
}

/// serde's `rename_all` rules for the cases the core uses.
fn rename(name: &str, rule: Option<&str>, is_variant: bool) -> String {
    let words = || {
        let mut out = String::new();
        for (i, ch) in name.chars().enumerate() {
            if ch.is_uppercase() && i > 0 && is_variant {
                out.push('_');
            }
            out.push(ch.to_ascii_lowercase());
        }
        out
    };
    match rule {
        Some("snake_case") if is_variant => words(),
        Some("kebab-case") if is_variant => words().replace('_', "-"),
        Some("kebab-case") => name.replace('_', "-"),
        Some("lowercase") => name.to_lowercase(),
        Some("SCREAMING_SNAKE_CASE") if is_variant => words().to_uppercase(),
        Some("UPPERCASE" | "SCREAMING_SNAKE_CASE") => name.to_uppercase(),
        Some("camelCase") if !is_variant => {
            let mut out = String::new();
            let mut up = false;
            for ch in name.chars() {
                if ch == '_' {
                    up = true;
                } else if up {
                    out.push(ch.to_ascii_uppercase());
                    up = false;
                } else {
                    out.push(ch);
                }
            }
            out
        }
        _ => name.to_owned(),
    }
}

fn struct_decl(name: &str, s: &syn::ItemStruct) -> String {
    let attrs = serde_attrs(&s.attrs);
    match &s.fields {
        syn::Fields::Named(fields) if !attrs.transparent => {
            let (body, flattened) = fields_decl(&fields.named, attrs.rename_all.as_deref(), "  ");
            let mut out = format!("export interface {name} {{\n{body}}}\n");
            if !flattened.is_empty() {
                out = format!("export type {name} = {{\n{body}}} & {};\n", flattened.join(" & "));
            }
            out
        }
        syn::Fields::Named(fields) => {
            let ty = fields.named.first().map_or_else(|| "unknown".to_owned(), |f| ts_type(&f.ty));
            format!("export type {name} = {ty};\n")
        }
        syn::Fields::Unnamed(fields) if fields.unnamed.len() == 1 => {
            format!("export type {name} = {};\n", ts_type(&fields.unnamed[0].ty))
        }
        syn::Fields::Unnamed(fields) => {
            let items: Vec<String> = fields.unnamed.iter().map(|f| ts_type(&f.ty)).collect();
            format!("export type {name} = [{}];\n", items.join(", "))
        }
        syn::Fields::Unit => format!("export type {name} = null;\n"),
    }
}

/// Field lines, and the types of `#[serde(flatten)]` fields (joined with `&`).
fn fields_decl(
    fields: &syn::punctuated::Punctuated<syn::Field, syn::Token![,]>,
    rule: Option<&str>,
    indent: &str,
) -> (String, Vec<String>) {
    let mut body = String::new();
    let mut flattened = Vec::new();
    for f in fields {
        let a = serde_attrs(&f.attrs);
        if a.skip {
            continue;
        }
        let ty = ts_type(&f.ty);
        if a.flatten {
            flattened.push(ty);
            continue;
        }
        let ident = f.ident.as_ref().map(ToString::to_string).unwrap_or_default();
        let ident = ident.trim_start_matches("r#");
        let key = a.rename.unwrap_or_else(|| rename(ident, rule, false));
        let optional = a.optional || is_option(&f.ty);
        let _ =
            writeln!(body, "{indent}{}{}: {ty};", quote_key(&key), if optional { "?" } else { "" });
    }
    (body, flattened)
}

fn quote_key(key: &str) -> String {
    if !key.is_empty()
        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
        && !key.starts_with(|c: char| c.is_ascii_digit())
    {
        key.to_owned()
    } else {
        format!("{key:?}")
    }
}

fn enum_decl(name: &str, e: &syn::ItemEnum) -> String {
    let attrs = serde_attrs(&e.attrs);
    let mut arms = Vec::new();
    for v in &e.variants {
        let va = serde_attrs(&v.attrs);
        if va.skip {
            continue;
        }
        let wire = va
            .rename
            .clone()
            .unwrap_or_else(|| rename(&v.ident.to_string(), attrs.rename_all.as_deref(), true));
        let lit = format!("{wire:?}");
        let payload = match &v.fields {
            syn::Fields::Unit => None,
            syn::Fields::Unnamed(f) if f.unnamed.len() == 1 => Some(ts_type(&f.unnamed[0].ty)),
            syn::Fields::Unnamed(f) => Some(format!(
                "[{}]",
                f.unnamed.iter().map(|f| ts_type(&f.ty)).collect::<Vec<_>>().join(", ")
            )),
            syn::Fields::Named(f) => {
                let (body, flat) = fields_decl(&f.named, va.rename_all.as_deref(), " ");
                let obj = format!("{{{}}}", body.replace('\n', ""));
                Some(if flat.is_empty() { obj } else { format!("{obj} & {}", flat.join(" & ")) })
            }
        };
        let arm = match (attrs.untagged, &attrs.tag, &attrs.content, payload) {
            (true, _, _, None) => "null".to_owned(),
            (true, _, _, Some(p)) => p,
            (false, Some(tag), Some(content), Some(p)) => {
                format!("{{ {tag}: {lit}; {content}: {p} }}")
            }
            (false, Some(tag), _, None) => format!("{{ {tag}: {lit} }}"),
            (false, Some(tag), None, Some(p)) => format!("({{ {tag}: {lit} }} & {p})"),
            (false, None, _, None) => lit,
            (false, None, _, Some(p)) => format!("{{ {}: {p} }}", quote_key(&wire)),
        };
        arms.push(arm);
    }
    if arms.is_empty() {
        arms.push("never".to_owned());
    }
    format!("export type {name} =\n  | {};\n", arms.join("\n  | "))
}

fn is_option(ty: &syn::Type) -> bool {
    last_segment(ty).is_some_and(|s| s.ident == "Option")
}

fn last_segment(ty: &syn::Type) -> Option<&syn::PathSegment> {
    match ty {
        syn::Type::Path(p) => p.path.segments.last(),
        _ => None,
    }
}

fn generic_args(seg: &syn::PathSegment) -> Vec<&syn::Type> {
    match &seg.arguments {
        syn::PathArguments::AngleBracketed(a) => a
            .args
            .iter()
            .filter_map(|a| match a {
                syn::GenericArgument::Type(t) => Some(t),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// The TypeScript type of a Rust field type as `serde_json` writes it.
fn ts_type(ty: &syn::Type) -> String {
    match ty {
        syn::Type::Reference(r) => ts_type(&r.elem),
        syn::Type::Array(syn::TypeArray { elem, .. })
        | syn::Type::Slice(syn::TypeSlice { elem, .. }) => {
            format!("{}[]", wrap(&ts_type(elem)))
        }
        syn::Type::Tuple(t) if t.elems.is_empty() => "null".to_owned(),
        syn::Type::Tuple(t) => {
            format!("[{}]", t.elems.iter().map(ts_type).collect::<Vec<_>>().join(", "))
        }
        syn::Type::Path(_) => {
            let Some(seg) = last_segment(ty) else { return "unknown".to_owned() };
            let args = generic_args(seg);
            let name = seg.ident.to_string();
            match (name.as_str(), args.as_slice()) {
                ("String" | "str" | "char" | "Cow", _) => "string".to_owned(),
                ("bool", _) => "boolean".to_owned(),
                (
                    "u8" | "u16" | "u32" | "u64" | "usize" | "i8" | "i16" | "i32" | "i64" | "isize"
                    | "f32" | "f64",
                    _,
                ) => "number".to_owned(),
                ("Option", [t]) => format!("{} | null", ts_type(t)),
                ("Vec" | "VecDeque" | "BTreeSet" | "HashSet" | "SmallVec", [t]) => {
                    format!("{}[]", wrap(&ts_type(t)))
                }
                ("Box" | "Rc" | "Arc", [t]) => ts_type(t),
                ("BTreeMap" | "HashMap" | "IndexMap", [_, v]) => {
                    format!("Record<string, {}>", ts_type(v))
                }
                ("Value", _) => "unknown".to_owned(),
                _ => name,
            }
        }
        _ => "unknown".to_owned(),
    }
}

fn wrap(t: &str) -> String {
    if t.contains(' ') { format!("({t})") } else { t.to_owned() }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(src: &str, expect: &str) {
        let ast = syn::parse_file(src).unwrap();
        let mut decls = Decls::default();
        collect(&ast.items, "x.rs", &mut decls);
        assert!(decls.clashes.is_empty(), "{:?}", decls.clashes);
        let got: String = decls.map.values().map(|(_, d)| d.as_str()).collect();
        assert_eq!(got, expect);
    }

    #[test]
    fn two_exported_types_with_one_name_are_a_clash() {
        let mut decls = Decls::default();
        let a = syn::parse_file("#[derive(Serialize)] pub struct Diagnostic { pub line: usize }")
            .unwrap();
        let b = syn::parse_file(
            "mod inner { #[derive(Deserialize)] pub struct Diagnostic { pub code: String } }",
        )
        .unwrap();
        collect(&a.items, "a.rs", &mut decls);
        collect(&b.items, "b.rs", &mut decls);
        assert_eq!(decls.clashes, ["`Diagnostic` in a.rs and b.rs"]);
        // A private or non-serde namesake is not exported and is no clash.
        let c =
            syn::parse_file("struct Diagnostic; #[derive(Debug)] pub struct Diagnostic2;").unwrap();
        collect(&c.items, "c.rs", &mut decls);
        assert_eq!(decls.clashes.len(), 1);
    }

    #[test]
    fn struct_with_serde_attributes() {
        check(
            r#"#[derive(Serialize)] pub struct A {
                #[serde(rename = "type")] pub kind: IocKind,
                pub values: Vec<String>,
                #[serde(default, skip_serializing_if = "Option::is_none")] pub note: Option<String>,
                pub plain: Option<u32>,
                #[serde(skip)] pub hidden: u8,
                pub map: BTreeMap<String, f64>,
            }"#,
            "export interface A {\n  type: IocKind;\n  values: string[];\n  note?: string | null;\n  \
             plain?: number | null;\n  map: Record<string, number>;\n}\n",
        );
    }

    #[test]
    fn unit_enum_renamed() {
        check(
            r#"#[derive(Serialize)] #[serde(rename_all = "snake_case")] pub enum K { Ipv4, FilePath, #[serde(rename = "x-y")] Z }"#,
            "export type K =\n  | \"ipv4\"\n  | \"file_path\"\n  | \"x-y\";\n",
        );
    }

    #[test]
    fn untagged_and_tagged_enums() {
        check(
            "#[derive(Serialize)] #[serde(untagged)] pub enum U { A(Api), B(Core) }",
            "export type U =\n  | Api\n  | Core;\n",
        );
        check(
            r#"#[derive(Serialize)] #[serde(tag = "t", content = "c")] pub enum T { A(u8), B }"#,
            "export type T =\n  | { t: \"A\"; c: number }\n  | { t: \"B\" };\n",
        );
    }

    #[test]
    fn private_test_and_non_serde_types_are_skipped() {
        check(
            "struct P; #[derive(Debug)] pub struct Q; #[cfg(test)] mod tests { #[derive(Serialize)] pub struct R; }",
            "",
        );
    }
}
