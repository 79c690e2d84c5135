//! `lookup_many`'s `fields`: a package serialised with only some dotted paths kept, written straight to JSON.
//!
//! A [`Projection`] is a tree of field names. [`View`] serialises any `Serialize` value through a [`Filter`]
//! serializer that drops the struct fields the tree does not name (a path through a list or an option applies
//! to each element; a map is kept whole), so nothing is built that is not written: going through
//! `serde_json::Value` instead cost several times the lookup itself.
use serde::ser::{Serialize, SerializeSeq, SerializeStruct, SerializeStructVariant, Serializer};
use std::collections::BTreeMap;

/// A set of dotted paths, as a tree: `All` keeps a subtree whole.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Projection {
    /// Keep everything below.
    All,
    /// Keep only these fields (each with its own projection).
    Some(BTreeMap<String, Projection>),
}

impl Projection {
    /// The tree of `paths` (each already split on `.`, no empty segment).
    pub(super) fn from_paths<'a>(paths: impl IntoIterator<Item = Vec<&'a str>>) -> Self {
        let mut root = Projection::Some(BTreeMap::new());
        for path in paths {
            root.insert(&path);
        }
        root
    }

    fn insert(&mut self, segments: &[&str]) {
        let Projection::Some(children) = self else { return };
        let Some((first, rest)) = segments.split_first() else { return };
        if rest.is_empty() {
            children.insert((*first).to_owned(), Projection::All);
        } else {
            children
                .entry((*first).to_owned())
                .or_insert_with(|| Projection::Some(BTreeMap::new()))
                .insert(rest);
        }
    }
}

/// `value` serialised through `projection`.
pub(super) struct View<'a, T: ?Sized> {
    pub(super) value: &'a T,
    pub(super) projection: &'a Projection,
}

impl<T: Serialize + ?Sized> Serialize for View<'_, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.projection {
            Projection::All => self.value.serialize(serializer),
            Projection::Some(_) => {
                self.value.serialize(Filter { inner: serializer, projection: self.projection })
            }
        }
    }
}

/// A serializer that forwards everything to `inner` except the struct fields `projection` does not name.
struct Filter<'a, S> {
    inner: S,
    projection: &'a Projection,
}

struct FilterStruct<'a, S> {
    inner: S,
    projection: &'a Projection,
}

struct FilterSeq<'a, S> {
    inner: S,
    projection: &'a Projection,
}

impl<'a, S: Serializer> Serializer for Filter<'a, S> {
    type Ok = S::Ok;
    type Error = S::Error;
    type SerializeSeq = FilterSeq<'a, S::SerializeSeq>;
    type SerializeTuple = S::SerializeTuple;
    type SerializeTupleStruct = S::SerializeTupleStruct;
    type SerializeTupleVariant = S::SerializeTupleVariant;
    type SerializeMap = S::SerializeMap;
    type SerializeStruct = FilterStruct<'a, S::SerializeStruct>;
    type SerializeStructVariant = FilterStruct<'a, S::SerializeStructVariant>;

    fn serialize_bool(self, v: bool) -> Result<S::Ok, S::Error> {
        self.inner.serialize_bool(v)
    }
    fn serialize_i8(self, v: i8) -> Result<S::Ok, S::Error> {
        self.inner.serialize_i8(v)
    }
    fn serialize_i16(self, v: i16) -> Result<S::Ok, S::Error> {
        self.inner.serialize_i16(v)
    }
    fn serialize_i32(self, v: i32) -> Result<S::Ok, S::Error> {
        self.inner.serialize_i32(v)
    }
    fn serialize_i64(self, v: i64) -> Result<S::Ok, S::Error> {
        self.inner.serialize_i64(v)
    }
    fn serialize_i128(self, v: i128) -> Result<S::Ok, S::Error> {
        self.inner.serialize_i128(v)
    }
    fn serialize_u8(self, v: u8) -> Result<S::Ok, S::Error> {
        self.inner.serialize_u8(v)
    }
    fn serialize_u16(self, v: u16) -> Result<S::Ok, S::Error> {
        self.inner.serialize_u16(v)
    }
    fn serialize_u32(self, v: u32) -> Result<S::Ok, S::Error> {
        self.inner.serialize_u32(v)
    }
    fn serialize_u64(self, v: u64) -> Result<S::Ok, S::Error> {
        self.inner.serialize_u64(v)
    }
    fn serialize_u128(self, v: u128) -> Result<S::Ok, S::Error> {
        self.inner.serialize_u128(v)
    }
    fn serialize_f32(self, v: f32) -> Result<S::Ok, S::Error> {
        self.inner.serialize_f32(v)
    }
    fn serialize_f64(self, v: f64) -> Result<S::Ok, S::Error> {
        self.inner.serialize_f64(v)
    }
    fn serialize_char(self, v: char) -> Result<S::Ok, S::Error> {
        self.inner.serialize_char(v)
    }
    fn serialize_str(self, v: &str) -> Result<S::Ok, S::Error> {
        self.inner.serialize_str(v)
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<S::Ok, S::Error> {
        self.inner.serialize_bytes(v)
    }
    fn serialize_none(self) -> Result<S::Ok, S::Error> {
        self.inner.serialize_none()
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<S::Ok, S::Error> {
        self.inner.serialize_some(&View { value, projection: self.projection })
    }
    fn serialize_unit(self) -> Result<S::Ok, S::Error> {
        self.inner.serialize_unit()
    }
    fn serialize_unit_struct(self, name: &'static str) -> Result<S::Ok, S::Error> {
        self.inner.serialize_unit_struct(name)
    }
    fn serialize_unit_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
    ) -> Result<S::Ok, S::Error> {
        self.inner.serialize_unit_variant(name, index, variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        value: &T,
    ) -> Result<S::Ok, S::Error> {
        self.inner.serialize_newtype_struct(name, &View { value, projection: self.projection })
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<S::Ok, S::Error> {
        self.inner.serialize_newtype_variant(
            name,
            index,
            variant,
            &View { value, projection: self.projection },
        )
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<Self::SerializeSeq, S::Error> {
        Ok(FilterSeq { inner: self.inner.serialize_seq(len)?, projection: self.projection })
    }
    fn serialize_tuple(self, len: usize) -> Result<S::SerializeTuple, S::Error> {
        self.inner.serialize_tuple(len)
    }
    fn serialize_tuple_struct(
        self,
        name: &'static str,
        len: usize,
    ) -> Result<S::SerializeTupleStruct, S::Error> {
        self.inner.serialize_tuple_struct(name, len)
    }
    fn serialize_tuple_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<S::SerializeTupleVariant, S::Error> {
        self.inner.serialize_tuple_variant(name, index, variant, len)
    }
    fn serialize_map(self, len: Option<usize>) -> Result<S::SerializeMap, S::Error> {
        self.inner.serialize_map(len)
    }
    fn serialize_struct(
        self,
        name: &'static str,
        len: usize,
    ) -> Result<Self::SerializeStruct, S::Error> {
        Ok(FilterStruct {
            inner: self.inner.serialize_struct(name, len)?,
            projection: self.projection,
        })
    }
    fn serialize_struct_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self::SerializeStructVariant, S::Error> {
        Ok(FilterStruct {
            inner: self.inner.serialize_struct_variant(name, index, variant, len)?,
            projection: self.projection,
        })
    }
}

impl<S: SerializeSeq> SerializeSeq for FilterSeq<'_, S> {
    type Ok = S::Ok;
    type Error = S::Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), S::Error> {
        self.inner.serialize_element(&View { value, projection: self.projection })
    }
    fn end(self) -> Result<S::Ok, S::Error> {
        self.inner.end()
    }
}

/// The projection of struct field `key`, or None when the field is left out.
fn kept<'p>(projection: &'p Projection, key: &str) -> Option<&'p Projection> {
    match projection {
        Projection::All => Some(projection),
        Projection::Some(children) => children.get(key),
    }
}

/// `SerializeStruct` and `SerializeStructVariant` have the same three methods: one body for both.
macro_rules! filter_struct {
    ($trait:ident) => {
        impl<S: $trait> $trait for FilterStruct<'_, S> {
            type Ok = S::Ok;
            type Error = S::Error;
            fn serialize_field<T: Serialize + ?Sized>(
                &mut self,
                key: &'static str,
                value: &T,
            ) -> Result<(), S::Error> {
                match kept(self.projection, key) {
                    Some(projection) => {
                        self.inner.serialize_field(key, &View { value, projection })
                    }
                    None => self.inner.skip_field(key),
                }
            }
            fn skip_field(&mut self, key: &'static str) -> Result<(), S::Error> {
                self.inner.skip_field(key)
            }
            fn end(self) -> Result<S::Ok, S::Error> {
                self.inner.end()
            }
        }
    };
}

filter_struct!(SerializeStruct);
filter_struct!(SerializeStructVariant);
