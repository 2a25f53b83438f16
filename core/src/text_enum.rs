//! Enums stored as text: the protocol crate's `text_enum!` gives each its stable name and parsing;
//! this one adds SQLite conversions for the device's own enums, and [`column`] reads the protocol's
//! enums (which know nothing of SQLite) from a text column.

/// Declares a fieldless enum stored as snake_case text: the protocol crate's enum (names, parsing,
/// serde) plus its SQLite conversions.
macro_rules! text_enum {
    ($(#[$meta:meta])* pub enum $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        dockhand_protocol::text_enum! {
            $(#[$meta])*
            pub enum $name { $($(#[$vmeta])* $variant => $text),+ }
        }

        impl rusqlite::types::ToSql for $name {
            fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
                Ok(self.as_str().into())
            }
        }

        impl rusqlite::types::FromSql for $name {
            fn column_result(value: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
                let text = value.as_str()?;
                $name::parse(text).ok_or_else(|| rusqlite::types::FromSqlError::Other(
                    format!("{text:?} is not a {}", stringify!($name)).into()))
            }
        }
    };
}

pub(crate) use text_enum;

/// Reads an enum of the protocol crate (which knows nothing of SQLite) from a text column.
pub(crate) fn column<T: dockhand_protocol::TextEnum>(
    row: &rusqlite::Row<'_>,
    index: usize,
) -> rusqlite::Result<T> {
    let text: String = row.get(index)?;
    T::from_text(&text).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            index,
            rusqlite::types::Type::Text,
            format!("{text:?} is not a {}", T::NAME).into(),
        )
    })
}

/// [`column`] of a nullable column.
pub(crate) fn optional_column<T: dockhand_protocol::TextEnum>(
    row: &rusqlite::Row<'_>,
    index: usize,
) -> rusqlite::Result<Option<T>> {
    match row.get_ref(index)? {
        rusqlite::types::ValueRef::Null => Ok(None),
        _ => column(row, index).map(Some),
    }
}
