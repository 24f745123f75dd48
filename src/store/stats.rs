//! The numbers behind the admin page: queries per day, top codes, top unanswered queries and
//! the helpful rate per guide. Plain SQL that both SQLite and PostgreSQL accept.

use super::{Db, Store, StoreError, day_of, with_pool};

/// `(label, count)` rows.
type Counts = Vec<(String, i64)>;

/// Votes on one guide.
#[derive(Debug, Clone, PartialEq)]
pub struct GuideRating {
    pub guide_code: String,
    pub helpful: i64,
    pub votes: i64,
}

impl GuideRating {
    /// Share of helpful votes, 0.0 to 1.0.
    pub fn rate(&self) -> f64 {
        if self.votes == 0 { 0.0 } else { self.helpful as f64 / self.votes as f64 }
    }
}

/// Everything the admin page shows, over the last `days` days.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AdminStats {
    /// `(YYYY-MM-DD, queries)` for every day in the window, oldest first (zeros included).
    pub per_day: Vec<(String, i64)>,
    pub top_codes: Vec<(String, i64)>,
    pub top_unanswered: Vec<(String, i64)>,
    pub ratings: Vec<GuideRating>,
    pub total_queries: i64,
}

impl Store {
    /// Admin statistics over the last `days` days (ratings over all time), `top` rows per list.
    pub async fn admin_stats(&self, days: i64, top: i64) -> Result<AdminStats, StoreError> {
        let now = self.now();
        let since = now - days.max(1) * 86_400;
        let per_day_sql =
            "SELECT day, CAST(SUM(hits) AS BIGINT) AS n FROM query_log WHERE at > $1 GROUP BY day ORDER BY day";
        let codes_sql = "SELECT detected_code, CAST(SUM(hits) AS BIGINT) AS n FROM query_log WHERE at > $1 AND detected_code IS NOT NULL \
                         GROUP BY detected_code ORDER BY n DESC, detected_code LIMIT $2";
        let gaps_sql = "SELECT query, CAST(SUM(hits) AS BIGINT) AS n FROM query_log WHERE at > $1 AND answer_kind = 'not_found' \
                        GROUP BY query ORDER BY n DESC, query LIMIT $2";
        let ratings_sql = "SELECT guide_code, COUNT(CASE WHEN vote > 0 THEN 1 END) AS up, COUNT(*) AS n FROM feedback \
                           GROUP BY guide_code ORDER BY n DESC, guide_code LIMIT $1";
        let (counted, top_codes, top_unanswered, ratings): (Counts, Counts, Counts, Vec<(String, i64, i64)>) = with_pool!(&self.db, pool => (
            sqlx::query_as(per_day_sql).bind(since).fetch_all(pool).await?,
            sqlx::query_as(codes_sql).bind(since).bind(top).fetch_all(pool).await?,
            sqlx::query_as(gaps_sql).bind(since).bind(top).fetch_all(pool).await?,
            sqlx::query_as(ratings_sql).bind(top).fetch_all(pool).await?,
        ));
        let per_day = fill_days(&counted, now, days.max(1));
        let total_queries = per_day.iter().map(|(_, n)| n).sum();
        let ratings = ratings
            .into_iter()
            .map(|(guide_code, helpful, votes)| GuideRating { guide_code, helpful, votes })
            .collect();
        Ok(AdminStats { per_day, top_codes, top_unanswered, ratings, total_queries })
    }
}

/// One entry per day of the window ending today, with zero for days without queries.
fn fill_days(counted: &[(String, i64)], now: i64, days: i64) -> Vec<(String, i64)> {
    (0..days)
        .rev()
        .map(|back| {
            let day = day_of(now - back * 86_400);
            let n = counted.iter().find(|(d, _)| *d == day).map_or(0, |(_, n)| *n);
            (day, n)
        })
        .collect()
}
