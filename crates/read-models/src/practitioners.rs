//! Practitioner directory: who a practitioner is, and their name while their personal data is not
//! erased.
//!
//! The tables hold the sealed personal data only, as the log does; a query opens it with the
//! practitioner's key from `personal_data_keys` (the store's key table, outside the log and the
//! read models), so the plain text is never written anywhere. A practitioner whose key is gone reads
//! as erased at once, even before `PersonalDataErased` is applied: the key is destroyed first.
//! The roster and the mentorship board show names beside ids through [`display_names`] (their
//! projections hold the directory tables too).

use std::collections::{BTreeMap, BTreeSet};

use domain::values::{
    ClinicalDepartment, Gender, PersonalData, PractitionerId, ProfessionalTitle,
    SealedPersonalData, open,
};
use sqlx::AnyPool;
use time::Date;

use crate::dates::parse;
use crate::fact::{FactProjection, tables as t};
use crate::names::{org_name, org_names};
use crate::page::{
    Answer, Page, PageRequest, QueryError, fetch, int, opt_int, opt_text, paginate, text,
};
use crate::query::{Query, Subject, View, Visible};

pub static PROJECTION: FactProjection = FactProjection {
    name: "practitioner_directory",
    // 2: the hospital table, for the employer's name.
    version: 2,
    tables: &[
        &t::HOSPITAL,
        &t::PRACTITIONER,
        &t::PRACTITIONER_CHANGE,
        &t::PERSONAL_ERASURE,
    ],
};

/// One practitioner as the directory shows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Practitioner {
    pub practitioner: String,
    /// The personal data; `None` once erased.
    pub personal: Option<PersonalData>,
    pub erased: bool,
    /// The day of the recorded erasure (`None` while the erasure is not applied yet).
    pub erased_on: Option<Date>,
    pub title: u16,
    pub title_name: &'static str,
    pub department: String,
    pub department_name: &'static str,
    pub employer: String,
    /// The employer's registered name, in the directory's own answers (empty when not registered,
    /// and in the display names other models ask for).
    pub employer_name: String,
    pub registered_on: Date,
}

/// A practitioner's display name beside their id in another read model's answer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DisplayName {
    /// The name; empty when the practitioner is not registered or erased.
    pub name: String,
    /// Set when the personal data was erased.
    pub erased: bool,
}

/// The registration and the later changes of one practitioner, before the personal data is opened.
struct Entry {
    sealed: String,
    title: i64,
    department: String,
    employer: String,
    registered_on: String,
    erased_on: Option<String>,
}

/// The entries of the practitioners that `condition` (SQL over `practitioner_id`, with `$1`)
/// selects in `{p}practitioner`, with their changes applied in stream order.
async fn entries(
    pool: &AnyPool,
    prefix: &str,
    condition: &str,
    bind: &str,
) -> Result<BTreeMap<String, Entry>, QueryError> {
    let mut found = BTreeMap::new();
    let registrations = format!(
        "SELECT practitioner_id, sealed, title, department, employer, registered_on \
         FROM {{p}}practitioner WHERE {condition}"
    );
    for row in fetch(pool, prefix, &registrations, &[bind]).await? {
        found.insert(
            text(&row, "practitioner_id")?,
            Entry {
                sealed: text(&row, "sealed")?,
                title: int(&row, "title")?,
                department: text(&row, "department")?,
                employer: text(&row, "employer")?,
                registered_on: text(&row, "registered_on")?,
                erased_on: None,
            },
        );
    }
    let changes = format!(
        "SELECT practitioner_id, title, department, employer FROM {{p}}practitioner_change \
         WHERE {condition} ORDER BY src_stream, src_version"
    );
    for row in fetch(pool, prefix, &changes, &[bind]).await? {
        let Some(entry) = found.get_mut(&text(&row, "practitioner_id")?) else {
            continue;
        };
        if let Some(title) = opt_int(&row, "title")? {
            entry.title = title;
        }
        if let Some(department) = opt_text(&row, "department")? {
            entry.department = department;
        }
        if let Some(employer) = opt_text(&row, "employer")? {
            entry.employer = employer;
        }
    }
    let erasures =
        format!("SELECT practitioner_id, erased_on FROM {{p}}personal_erasure WHERE {condition}");
    for row in fetch(pool, prefix, &erasures, &[bind]).await? {
        if let Some(entry) = found.get_mut(&text(&row, "practitioner_id")?) {
            entry.erased_on = Some(text(&row, "erased_on")?);
        }
    }
    Ok(found)
}

/// The key of the practitioner `id`, if it still exists.
async fn key_of(pool: &AnyPool, id: &str) -> Result<Option<Vec<u8>>, QueryError> {
    let subject = PractitionerId::parse(id)
        .map_err(|e| QueryError::Corrupt(format!("practitioner id {id:?}: {e}")))?
        .stream_id();
    let rows = fetch(
        pool,
        "",
        "SELECT key_hex FROM personal_data_keys WHERE subject = $1",
        &[&subject],
    )
    .await?;
    match rows.first() {
        Some(row) => {
            let key = hex_bytes(&text(row, "key_hex")?)
                .ok_or_else(|| QueryError::Corrupt(format!("the key of {subject}")))?;
            Ok(Some(key))
        }
        None => Ok(None),
    }
}

fn hex_bytes(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

/// The personal data of `id` sealed as `sealed`, if the key exists and opens it; `None` is erased.
async fn opened(
    pool: &AnyPool,
    id: &str,
    sealed: &str,
) -> Result<Option<PersonalData>, QueryError> {
    let Ok(sealed) = SealedPersonalData::parse(sealed) else {
        return Err(QueryError::Corrupt(format!("sealed data of {id}")));
    };
    let Some(key) = key_of(pool, id).await? else {
        return Ok(None);
    };
    let subject = PractitionerId::parse(id)
        .map_err(|e| QueryError::Corrupt(format!("practitioner id {id:?}: {e}")))?
        .stream_id();
    Ok(open(&key, &subject, &sealed))
}

async fn practitioner(
    pool: &AnyPool,
    id: String,
    entry: Entry,
) -> Result<Practitioner, QueryError> {
    let personal = match entry.erased_on {
        Some(_) => None,
        None => opened(pool, &id, &entry.sealed).await?,
    };
    let title = u16::try_from(entry.title).unwrap_or(0);
    Ok(Practitioner {
        erased: personal.is_none(),
        personal,
        erased_on: entry.erased_on.as_deref().map(parse).transpose()?,
        title,
        title_name: ProfessionalTitle::from_code(title).map_or("", ProfessionalTitle::name),
        department_name: ClinicalDepartment::parse(&entry.department).map_or("", |d| d.name()),
        department: entry.department,
        employer: entry.employer,
        employer_name: String::new(),
        registered_on: parse(&entry.registered_on)?,
        practitioner: id,
    })
}

/// The display names of the practitioners named `ids`, for the other read models (whose projections
/// include the directory tables): a practitioner not registered is absent from the answer.
pub async fn display_names(
    pool: &AnyPool,
    prefix: &str,
    ids: impl IntoIterator<Item = &str>,
) -> Result<BTreeMap<String, DisplayName>, QueryError> {
    let mut names = BTreeMap::new();
    let unique: BTreeSet<&str> = ids.into_iter().collect();
    for id in unique {
        let Some((id, entry)) = entries(pool, prefix, "practitioner_id = $1", id)
            .await?
            .into_iter()
            .next()
        else {
            continue;
        };
        let shown = practitioner(pool, id.clone(), entry).await?;
        names.insert(
            id,
            DisplayName {
                name: shown.personal.map(|p| p.name).unwrap_or_default(),
                erased: shown.erased,
            },
        );
    }
    Ok(names)
}

/// The GB/T 2261.1 gender of a practitioner, for the API.
pub fn gender(p: &Practitioner) -> Option<Gender> {
    p.personal.as_ref().and_then(|d| d.gender)
}

/// `GetPractitioner`: one practitioner, whose current employer the caller may see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GetPractitioner {
    pub practitioner: String,
}

impl Query for GetPractitioner {
    type Answer = Answer<Practitioner>;
    const PROJECTION: &'static FactProjection = &PROJECTION;

    fn subject(&self) -> Subject<'_> {
        Subject::Rows
    }

    async fn run(&self, v: View<'_>, visible: Visible<'_>) -> Result<Self::Answer, QueryError> {
        let not_found = || QueryError::NotFound {
            reason: "STREAM_NOT_FOUND",
            what: format!("practitioner {}", self.practitioner),
        };
        let found = entries(v.pool, v.prefix, "practitioner_id = $1", &self.practitioner).await?;
        let (id, entry) = found.into_iter().next().ok_or_else(not_found)?;
        // A practitioner outside the caller's scope is reported like a missing one.
        if !visible.org(&entry.employer) {
            return Err(not_found());
        }
        let mut value = practitioner(v.pool, id, entry).await?;
        let names = org_names(v.pool, v.prefix, [value.employer.as_str()]).await?;
        value.employer_name = org_name(&names, &value.employer);
        Ok(Answer {
            position: v.position,
            value,
        })
    }
}

/// `ListPractitioners`: the practitioners whose current employer is `employer`, by id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListPractitioners {
    pub employer: String,
    pub page: PageRequest,
}

impl Query for ListPractitioners {
    type Answer = Page<Practitioner>;
    const PROJECTION: &'static FactProjection = &PROJECTION;

    fn subject(&self) -> Subject<'_> {
        Subject::Org {
            field: "employer",
            org: &self.employer,
        }
    }

    async fn run(&self, v: View<'_>, _: Visible<'_>) -> Result<Self::Answer, QueryError> {
        // Everyone who was ever employed there, by the registration or a change; then only those
        // whose current employer it is.
        let condition = "practitioner_id IN (SELECT practitioner_id FROM {p}practitioner \
                         WHERE employer = $1 UNION SELECT practitioner_id FROM \
                         {p}practitioner_change WHERE employer = $1)";
        let here: Vec<(String, Entry)> = entries(v.pool, v.prefix, condition, &self.employer)
            .await?
            .into_iter()
            .filter(|(_, e)| e.employer == self.employer)
            .collect();
        // Pages are cut on the ids first, so only the page's personal data is opened.
        let page = paginate(here, |(id, _)| id.clone(), &self.page, v.position)?;
        let mut items = Vec::with_capacity(page.items.len());
        for (id, entry) in page.items {
            items.push(practitioner(v.pool, id, entry).await?);
        }
        // Every one of them works there.
        let names = org_names(v.pool, v.prefix, [self.employer.as_str()]).await?;
        for p in &mut items {
            p.employer_name = org_name(&names, &p.employer);
        }
        Ok(Page {
            items,
            next_cursor: page.next_cursor,
            position: page.position,
        })
    }
}
