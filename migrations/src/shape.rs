//! Small builders shared by the migrations.

use sea_orm_migration::prelude::*;

pub(crate) fn fk(
    from_table: impl IntoIden,
    from_col: impl IntoIden,
    to_table: impl IntoIden,
    to_col: impl IntoIden,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(from_table, from_col)
        .to(to_table, to_col)
        .to_owned()
}

pub(crate) fn index(
    name: &str,
    table: impl IntoIden + 'static,
    cols: &[&'static str],
    unique: bool,
) -> IndexCreateStatement {
    let mut stmt = Index::create();
    stmt.name(name).table(table);
    for col in cols {
        stmt.col(Alias::new(*col));
    }
    if unique {
        stmt.unique();
    }
    stmt.clone()
}

/// Name, table and columns of a plain index.
pub(crate) type Plain = (&'static str, &'static str, &'static [&'static str]);

/// Creates each plain index, for a migration that only adds indexes.
pub(crate) async fn create_plain(manager: &SchemaManager<'_>, indexes: &[Plain]) -> Result<(), DbErr> {
    for &(name, table, cols) in indexes {
        manager
            .create_index(index(name, Alias::new(table), cols, false))
            .await?;
    }
    Ok(())
}

/// Drops each plain index again.
pub(crate) async fn drop_plain(manager: &SchemaManager<'_>, indexes: &[Plain]) -> Result<(), DbErr> {
    for &(name, table, _) in indexes {
        manager
            .drop_index(Index::drop().name(name).table(Alias::new(table)).to_owned())
            .await?;
    }
    Ok(())
}
