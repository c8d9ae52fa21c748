//! The store's instruments, made from the global OpenTelemetry meter: no-ops unless the binary
//! installed a meter provider (the server's `metrics` module lists every instrument).

use std::time::Instant;

use opentelemetry::KeyValue;
use opentelemetry::metrics::{Counter, Histogram};

use crate::error::AppendError;
use crate::model::AppendResult;

pub(crate) struct StoreMetrics {
    appends: Counter<u64>,
    appended_events: Counter<u64>,
    duration: Histogram<f64>,
    group_size: Histogram<u64>,
}

impl StoreMetrics {
    pub(crate) fn new() -> StoreMetrics {
        let meter = opentelemetry::global::meter("medaid.event_store");
        StoreMetrics {
            appends: meter
                .u64_counter("medaid.log.appends")
                .with_description("Appends answered, by outcome")
                .build(),
            appended_events: meter
                .u64_counter("medaid.log.appended_events")
                .with_description("Events written to the log")
                .build(),
            duration: meter
                .f64_histogram("medaid.log.append.duration")
                .with_unit("s")
                .with_description("Time from an append's call to its answer, queueing included")
                .with_boundaries(vec![
                    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
                    10.0,
                ])
                .build(),
            group_size: meter
                .u64_histogram("medaid.log.group_commit.size")
                .with_description("Appends committed together in one transaction")
                .with_boundaries(vec![
                    1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0, 512.0,
                ])
                .build(),
        }
    }

    pub(crate) fn append_done(
        &self,
        started: Instant,
        outcome: &Result<AppendResult, AppendError>,
    ) {
        let outcome = match outcome {
            Ok(_) => "ok",
            Err(
                AppendError::WrongExpectedVersion { .. }
                | AppendError::ConditionViolated { .. }
                | AppendError::StreamMoved { .. },
            ) => "conflict",
            Err(AppendError::Store(_)) => "error",
            Err(_) => "refused",
        };
        let attributes = [KeyValue::new("outcome", outcome)];
        self.appends.add(1, &attributes);
        self.duration
            .record(started.elapsed().as_secs_f64(), &attributes);
    }

    pub(crate) fn group_committed(&self, requests: usize, written: usize) {
        self.group_size.record(requests as u64, &[]);
        self.appended_events.add(written as u64, &[]);
    }
}
