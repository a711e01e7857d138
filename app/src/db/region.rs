//! [`Region`] as a column type: stored as its two-letter code, read back as
//! a `Region` (a stored code that is not one is a database error, never a
//! silent default), so entities carry the type and nothing re-parses it.

use sea_orm::sea_query::{ArrayType, ColumnType, Nullable, StringLen, ValueType, ValueTypeErr};
use sea_orm::{ColIdx, DbErr, QueryResult, TryGetError, TryGetable, Value};

use crate::import::Region;

impl From<Region> for Value {
    fn from(region: Region) -> Self {
        Value::String(Some(region.code().to_string()))
    }
}

impl TryGetable for Region {
    fn try_get_by<I: ColIdx>(res: &QueryResult, index: I) -> Result<Self, TryGetError> {
        let code = String::try_get_by(res, index)?;
        code.parse()
            .map_err(|e: String| TryGetError::DbErr(DbErr::Type(format!("stored region: {e}"))))
    }
}

impl ValueType for Region {
    fn try_from(v: Value) -> Result<Self, ValueTypeErr> {
        match v {
            Value::String(Some(code)) => code.parse().map_err(|_| ValueTypeErr),
            _ => Err(ValueTypeErr),
        }
    }

    fn type_name() -> String {
        "Region".to_string()
    }

    fn array_type() -> ArrayType {
        ArrayType::String
    }

    fn column_type() -> ColumnType {
        ColumnType::String(StringLen::None)
    }
}

impl Nullable for Region {
    fn null() -> Value {
        Value::String(None)
    }
}
