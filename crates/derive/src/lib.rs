//! `#[derive(CompactDeserialize)]`: serde's `Deserialize` for an enum or a struct with named
//! fields, reading exactly the JSON that `#[derive(Deserialize)]` reads, in much less code.
//!
//! Why: serde's derive writes, for every struct variant, a map visitor and a sequence visitor
//! with the reading of each field inlined, and the drops of the fields read so far on every
//! error path. For `jumun_core`'s `Change` and `Command` (over forty variants each) that made
//! the two largest functions of the browser app's wasm, 65 and 62 KB (docs/wasm-size.md).
//!
//! How: each distinct field type gets one arm in a single seed that reads a value of that type
//! into a private enum of them; every struct variant (or the struct) is described by a table of
//! its field names and types, read by one shared map (and sequence) visitor into slots; a
//! variant's own code only moves its values out of the slots. The reader of each field type is
//! instantiated once, whatever the number of variants that use it.
//!
//! What it reads, as serde's derive does without attributes: an externally tagged enum (`"Unit"`,
//! `{"Newtype": …}`, `{"Struct": {…}}` or `{"Struct": […]}`), a struct as a map or a sequence;
//! unknown fields are skipped, a field given twice is an error, a missing field is an error
//! unless its type is written `Option<…>` (then `None`) or it has `#[serde(default)]` (then
//! `Default::default()`). The errors are serde's (`missing field`, `unknown variant`,
//! `duplicate field`, `invalid length`). No other `#[serde(…)]` attribute is supported (but
//! `skip_serializing_if`, which only concerns writing): the derive refuses a type that has one,
//! so it can never read a different format than the type writes.

use proc_macro::TokenStream;
use proc_macro2::TokenStream as Tokens;
use quote::{format_ident, quote};
use syn::{parse_macro_input, Data, DeriveInput, Fields, Ident, Type};

/// Derives `serde::Deserialize` in the compact form described in the crate's documentation.
#[proc_macro_derive(CompactDeserialize, attributes(serde))]
pub fn compact_deserialize(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    match expand(&input) {
        Ok(tokens) => tokens.into(),
        Err(error) => error.to_compile_error().into(),
    }
}

/// The shape of an enum's variant (or of a struct, as its only "variant").
enum Shape<'a> {
    Unit,
    Newtype(&'a Type),
    Named(Vec<Field<'a>>),
}

/// A named field.
struct Field<'a> {
    ident: &'a Ident,
    ty: &'a Type,
    /// `#[serde(default)]`: `Default::default()` when missing.
    default: bool,
}

fn refuse_serde_attributes(attrs: &[syn::Attribute]) -> syn::Result<()> {
    match attrs.iter().find(|attr| attr.path().is_ident("serde")) {
        Some(attr) => Err(syn::Error::new_spanned(
            attr,
            "CompactDeserialize reads no #[serde(...)] attribute: derive serde's Deserialize \
             for this type",
        )),
        None => Ok(()),
    }
}

/// Whether a field has `#[serde(default)]`: read as `Default::default()` when missing. The
/// only other field attribute taken is `skip_serializing_if`, which concerns writing only.
fn has_default(attrs: &[syn::Attribute]) -> syn::Result<bool> {
    let mut default = false;
    for attr in attrs.iter().filter(|attr| attr.path().is_ident("serde")) {
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("default") && meta.input.is_empty()
                || meta.path.is_ident("default") && meta.input.peek(syn::Token![,])
            {
                default = true;
                Ok(())
            } else if meta.path.is_ident("skip_serializing_if") {
                meta.value()?.parse::<syn::LitStr>().map(|_| ())
            } else {
                Err(meta.error(
                    "CompactDeserialize reads only #[serde(default)] and \
                     #[serde(skip_serializing_if = \"…\")] on a field: derive serde's \
                     Deserialize for this type",
                ))
            }
        })?;
    }
    Ok(default)
}

fn shape_of(fields: &Fields) -> syn::Result<Shape<'_>> {
    match fields {
        Fields::Unit => Ok(Shape::Unit),
        Fields::Unnamed(unnamed) if unnamed.unnamed.len() == 1 => {
            refuse_serde_attributes(&unnamed.unnamed[0].attrs)?;
            Ok(Shape::Newtype(&unnamed.unnamed[0].ty))
        }
        Fields::Unnamed(unnamed) => Err(syn::Error::new_spanned(
            unnamed,
            "CompactDeserialize reads no tuple variant of more than one field",
        )),
        Fields::Named(named) => {
            let mut fields = Vec::new();
            for field in &named.named {
                if let Some(ident) = &field.ident {
                    fields.push(Field {
                        ident,
                        ty: &field.ty,
                        default: has_default(&field.attrs)?,
                    });
                }
            }
            Ok(Shape::Named(fields))
        }
    }
}

/// Whether a field's type is written `Option<…>`: such a field may be missing (as with serde's
/// derive, which reads a missing `Option` as `None`).
fn is_option(ty: &Type) -> bool {
    match ty {
        Type::Path(path) => path
            .path
            .segments
            .last()
            .is_some_and(|segment| segment.ident == "Option"),
        _ => false,
    }
}

/// The distinct field types, each with the name of its slot.
struct Kinds<'a> {
    types: Vec<(String, &'a Type)>,
    /// The kinds of a field with `#[serde(default)]` (they get a defaulting take).
    defaulted: Vec<Ident>,
}

impl<'a> Kinds<'a> {
    /// The kind (`T0`, `T1`, …) of a type, added when new.
    fn of(&mut self, ty: &'a Type) -> Ident {
        let key = quote!(#ty).to_string();
        let index = match self.types.iter().position(|(seen, _)| *seen == key) {
            Some(index) => index,
            None => {
                self.types.push((key, ty));
                self.types.len() - 1
            }
        };
        format_ident!("T{}", index)
    }
}

fn expand(input: &DeriveInput) -> syn::Result<Tokens> {
    refuse_serde_attributes(&input.attrs)?;
    if !input.generics.params.is_empty() {
        return Err(syn::Error::new_spanned(
            &input.generics,
            "CompactDeserialize reads no generic type",
        ));
    }
    let name = &input.ident;
    let name_text = name.to_string();
    let mut kinds = Kinds {
        types: Vec::new(),
        defaulted: Vec::new(),
    };
    let body = match &input.data {
        Data::Enum(data) => {
            let mut arms = Vec::new();
            let mut variant_names = Vec::new();
            for (index, variant) in data.variants.iter().enumerate() {
                refuse_serde_attributes(&variant.attrs)?;
                let ident = &variant.ident;
                variant_names.push(ident.to_string());
                let arm = match shape_of(&variant.fields)? {
                    Shape::Unit => quote! {
                        #index => {
                            __serde::de::VariantAccess::unit_variant(__variant)?;
                            ::core::result::Result::Ok(#name::#ident)
                        }
                    },
                    Shape::Newtype(ty) => quote! {
                        #index => __serde::de::VariantAccess::newtype_variant::<#ty>(__variant)
                            .map(#name::#ident),
                    },
                    Shape::Named(fields) => {
                        let expecting = format!("struct variant {name_text}::{ident}");
                        let (shape, build) =
                            named(&mut kinds, &expecting, &fields, quote!(#name::#ident));
                        quote! {
                            #index => {
                                const __SHAPE: __Shape = #shape;
                                let mut __slots = __serde::de::VariantAccess::struct_variant(
                                    __variant,
                                    __SHAPE.fields,
                                    __Body(&__SHAPE),
                                )?;
                                #build
                            }
                        }
                    }
                };
                arms.push(arm);
            }
            let expecting = format!("enum {name_text}");
            let count = variant_names.len();
            let index_expecting = format!("variant index 0 <= i < {count}");
            quote! {
                const __VARIANTS: &[&str] = &[#(#variant_names),*];

                struct __Variant;

                impl<'de> __serde::de::DeserializeSeed<'de> for __Variant {
                    type Value = usize;
                    fn deserialize<__D: __serde::Deserializer<'de>>(
                        self,
                        deserializer: __D,
                    ) -> ::core::result::Result<usize, __D::Error> {
                        __serde::Deserializer::deserialize_identifier(deserializer, self)
                    }
                }

                impl<'de> __serde::de::Visitor<'de> for __Variant {
                    type Value = usize;
                    fn expecting(
                        &self,
                        formatter: &mut ::core::fmt::Formatter,
                    ) -> ::core::fmt::Result {
                        formatter.write_str("variant identifier")
                    }
                    fn visit_u64<__E: __serde::de::Error>(
                        self,
                        value: u64,
                    ) -> ::core::result::Result<usize, __E> {
                        match usize::try_from(value) {
                            ::core::result::Result::Ok(index) if index < #count => {
                                ::core::result::Result::Ok(index)
                            }
                            _ => ::core::result::Result::Err(__E::invalid_value(
                                __serde::de::Unexpected::Unsigned(value),
                                &#index_expecting,
                            )),
                        }
                    }
                    fn visit_str<__E: __serde::de::Error>(
                        self,
                        value: &str,
                    ) -> ::core::result::Result<usize, __E> {
                        __VARIANTS
                            .iter()
                            .position(|variant| *variant == value)
                            .ok_or_else(|| __E::unknown_variant(value, __VARIANTS))
                    }
                    fn visit_bytes<__E: __serde::de::Error>(
                        self,
                        value: &[u8],
                    ) -> ::core::result::Result<usize, __E> {
                        __VARIANTS
                            .iter()
                            .position(|variant| variant.as_bytes() == value)
                            .ok_or_else(|| {
                                __E::unknown_variant(
                                    &::std::string::String::from_utf8_lossy(value),
                                    __VARIANTS,
                                )
                            })
                    }
                }

                struct __Enum;

                impl<'de> __serde::de::Visitor<'de> for __Enum {
                    type Value = #name;
                    fn expecting(
                        &self,
                        formatter: &mut ::core::fmt::Formatter,
                    ) -> ::core::fmt::Result {
                        formatter.write_str(#expecting)
                    }
                    fn visit_enum<__A: __serde::de::EnumAccess<'de>>(
                        self,
                        data: __A,
                    ) -> ::core::result::Result<#name, __A::Error> {
                        let (__index, __variant) =
                            __serde::de::EnumAccess::variant_seed(data, __Variant)?;
                        match __index {
                            #(#arms)*
                            _ => ::core::result::Result::Err(__serde::de::Error::unknown_variant(
                                "(out of range)",
                                __VARIANTS,
                            )),
                        }
                    }
                }

                #[automatically_derived]
                impl<'de> __serde::Deserialize<'de> for #name {
                    fn deserialize<__D: __serde::Deserializer<'de>>(
                        deserializer: __D,
                    ) -> ::core::result::Result<Self, __D::Error> {
                        __serde::Deserializer::deserialize_enum(
                            deserializer,
                            #name_text,
                            __VARIANTS,
                            __Enum,
                        )
                    }
                }
            }
        }
        Data::Struct(data) => match shape_of(&data.fields)? {
            Shape::Named(fields) => {
                let expecting = format!("struct {name_text}");
                let (shape, build) = named(&mut kinds, &expecting, &fields, quote!(#name));
                quote! {
                    #[automatically_derived]
                    impl<'de> __serde::Deserialize<'de> for #name {
                        fn deserialize<__D: __serde::Deserializer<'de>>(
                            deserializer: __D,
                        ) -> ::core::result::Result<Self, __D::Error> {
                            const __SHAPE: __Shape = #shape;
                            let mut __slots = __serde::Deserializer::deserialize_struct(
                                deserializer,
                                #name_text,
                                __SHAPE.fields,
                                __Body(&__SHAPE),
                            )?;
                            #build
                        }
                    }
                }
            }
            _ => {
                return Err(syn::Error::new_spanned(
                    name,
                    "CompactDeserialize reads only structs with named fields",
                ))
            }
        },
        Data::Union(_) => {
            return Err(syn::Error::new_spanned(
                name,
                "CompactDeserialize reads no union",
            ))
        }
    };
    let slots = slots(&kinds);
    Ok(quote! {
        #[doc(hidden)]
        #[allow(non_camel_case_types, clippy::large_enum_variant, clippy::enum_variant_names)]
        const _: () = {
            extern crate serde as __serde;
            #slots
            #body
        };
    })
}

/// A named-field variant's (or struct's) shape constant and the code that builds it from the
/// slots `__slots`.
fn named<'a>(
    kinds: &mut Kinds<'a>,
    expecting: &str,
    fields: &[Field<'a>],
    path: Tokens,
) -> (Tokens, Tokens) {
    let names: Vec<String> = fields.iter().map(|field| field.ident.to_string()).collect();
    let mut field_kinds = Vec::new();
    let mut values = Vec::new();
    let mut required = Vec::new();
    for (index, field) in fields.iter().enumerate() {
        let kind = kinds.of(field.ty);
        let optional = is_option(field.ty);
        let take = if field.default && !optional {
            if !kinds.defaulted.contains(&kind) {
                kinds.defaulted.push(kind.clone());
            }
            format_ident!("__take_or_default_{}", kind)
        } else {
            format_ident!("__take_{}", kind)
        };
        let ident = field.ident;
        values.push(quote!(#ident: #take(&mut __slots, #index)));
        field_kinds.push(kind);
        required.push(!optional && !field.default);
    }
    let shape = quote! {
        __Shape {
            expecting: #expecting,
            fields: &[#(#names),*],
            kinds: &[#(__Kind::#field_kinds),*],
            required: &[#(#required),*],
        }
    };
    let build = quote! {
        ::core::result::Result::Ok(#path { #(#values),* })
    };
    (shape, build)
}

/// The slots: the enum of every field type, the seed that reads one, and the visitor that reads
/// a map or sequence of fields described by a `__Shape`.
fn slots(kinds: &Kinds<'_>) -> Tokens {
    let idents: Vec<Ident> = (0..kinds.types.len())
        .map(|index| format_ident!("T{}", index))
        .collect();
    let types: Vec<&Type> = kinds.types.iter().map(|(_, ty)| *ty).collect();
    if types.is_empty() {
        return Tokens::new();
    }
    // One function per kind moves a value out of its slot. `__Body` has checked that every
    // required field was read, and `__Seed` reads a slot's kind only as that kind, so the last
    // arm cannot be reached; there is no error path (nor drops of what was moved out before) in
    // the code of each variant.
    let takes = idents.iter().zip(&types).map(|(kind, ty)| {
        let take = format_ident!("__take_{}", kind);
        let otherwise = if is_option(ty) {
            quote!(::core::option::Option::None)
        } else {
            quote!(::core::unreachable!(
                "a required field is read before its variant is built"
            ))
        };
        let defaulting = kinds.defaulted.contains(kind).then(|| {
            let take = format_ident!("__take_or_default_{}", kind);
            quote! {
                fn #take(slots: &mut __Slots, index: usize) -> #ty {
                    match slots.get_mut(index).and_then(::core::option::Option::take) {
                        ::core::option::Option::Some(__Value::#kind(value)) => value,
                        _ => ::core::default::Default::default(),
                    }
                }
            }
        });
        quote! {
            #[allow(dead_code)]
            fn #take(slots: &mut __Slots, index: usize) -> #ty {
                match slots.get_mut(index).and_then(::core::option::Option::take) {
                    ::core::option::Option::Some(__Value::#kind(value)) => value,
                    _ => #otherwise,
                }
            }
            #defaulting
        }
    });
    quote! {
        enum __Value {
            #(#idents(#types),)*
        }

        #[derive(Clone, Copy)]
        enum __Kind {
            #(#idents,)*
        }

        /// Reads one field's value, of the kind given.
        struct __Seed(__Kind);

        impl<'de> __serde::de::DeserializeSeed<'de> for __Seed {
            type Value = __Value;
            fn deserialize<__D: __serde::Deserializer<'de>>(
                self,
                deserializer: __D,
            ) -> ::core::result::Result<__Value, __D::Error> {
                match self.0 {
                    #(__Kind::#idents => <#types as __serde::Deserialize>::deserialize(deserializer)
                        .map(__Value::#idents),)*
                }
            }
        }

        /// A variant's (or the struct's) fields: what a `__Body` reads.
        struct __Shape {
            expecting: &'static str,
            fields: &'static [&'static str],
            kinds: &'static [__Kind],
            /// Not `Option<…>`: an error when missing.
            required: &'static [bool],
        }

        type __Slots = ::std::vec::Vec<::core::option::Option<__Value>>;

        #(#takes)*

        /// A field's name, as its index in the shape (`None`: not one of its fields).
        struct __Key(&'static [&'static str]);

        impl<'de> __serde::de::DeserializeSeed<'de> for __Key {
            type Value = ::core::option::Option<usize>;
            fn deserialize<__D: __serde::Deserializer<'de>>(
                self,
                deserializer: __D,
            ) -> ::core::result::Result<::core::option::Option<usize>, __D::Error> {
                __serde::Deserializer::deserialize_identifier(deserializer, self)
            }
        }

        impl<'de> __serde::de::Visitor<'de> for __Key {
            type Value = ::core::option::Option<usize>;
            fn expecting(&self, formatter: &mut ::core::fmt::Formatter) -> ::core::fmt::Result {
                formatter.write_str("field identifier")
            }
            fn visit_u64<__E: __serde::de::Error>(
                self,
                value: u64,
            ) -> ::core::result::Result<::core::option::Option<usize>, __E> {
                ::core::result::Result::Ok(
                    usize::try_from(value).ok().filter(|index| *index < self.0.len()),
                )
            }
            fn visit_str<__E: __serde::de::Error>(
                self,
                value: &str,
            ) -> ::core::result::Result<::core::option::Option<usize>, __E> {
                ::core::result::Result::Ok(self.0.iter().position(|field| *field == value))
            }
            fn visit_bytes<__E: __serde::de::Error>(
                self,
                value: &[u8],
            ) -> ::core::result::Result<::core::option::Option<usize>, __E> {
                ::core::result::Result::Ok(
                    self.0.iter().position(|field| field.as_bytes() == value),
                )
            }
        }

        /// Reads the fields of a shape into slots, in the shape's order.
        struct __Body(&'static __Shape);

        impl<'de> __serde::de::Visitor<'de> for __Body {
            type Value = __Slots;
            fn expecting(&self, formatter: &mut ::core::fmt::Formatter) -> ::core::fmt::Result {
                formatter.write_str(self.0.expecting)
            }
            fn visit_map<__A: __serde::de::MapAccess<'de>>(
                self,
                mut map: __A,
            ) -> ::core::result::Result<__Slots, __A::Error> {
                let shape = self.0;
                let mut slots: __Slots = shape.kinds.iter().map(|_| None).collect();
                while let ::core::option::Option::Some(key) = map.next_key_seed(__Key(shape.fields))? {
                    match key.and_then(|index| Some((index, shape.kinds.get(index)?, slots.get_mut(index)?))) {
                        ::core::option::Option::Some((index, kind, slot)) => {
                            if slot.is_some() {
                                return ::core::result::Result::Err(
                                    __serde::de::Error::duplicate_field(
                                        shape.fields.get(index).copied().unwrap_or_default(),
                                    ),
                                );
                            }
                            *slot = ::core::option::Option::Some(map.next_value_seed(__Seed(*kind))?);
                        }
                        ::core::option::Option::None => {
                            map.next_value::<__serde::de::IgnoredAny>()?;
                        }
                    }
                }
                let missing = slots
                    .iter()
                    .zip(shape.required)
                    .position(|(slot, required)| *required && slot.is_none());
                if let ::core::option::Option::Some(index) = missing {
                    return ::core::result::Result::Err(__serde::de::Error::missing_field(
                        shape.fields.get(index).copied().unwrap_or_default(),
                    ));
                }
                ::core::result::Result::Ok(slots)
            }
            fn visit_seq<__A: __serde::de::SeqAccess<'de>>(
                self,
                mut seq: __A,
            ) -> ::core::result::Result<__Slots, __A::Error> {
                let shape = self.0;
                let mut slots: __Slots = ::std::vec::Vec::with_capacity(shape.kinds.len());
                for (index, kind) in shape.kinds.iter().enumerate() {
                    match seq.next_element_seed(__Seed(*kind))? {
                        ::core::option::Option::Some(value) => {
                            slots.push(::core::option::Option::Some(value))
                        }
                        ::core::option::Option::None => {
                            return ::core::result::Result::Err(
                                __serde::de::Error::invalid_length(index, &self),
                            )
                        }
                    }
                }
                ::core::result::Result::Ok(slots)
            }
        }
    }
}
