//! What the bot counts for Prometheus: commands handled, payment webhooks
//! received and payment events applied, outbox deliveries by platform (its
//! errors are the platforms' errors), and the depth and age of the outbox
//! and the payment inbox, read when scraped.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct CommandLabels {
    pub command: String,
    /// `ok`, `refused` (the person's to fix) or `failed` (ours).
    pub outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct WebhookLabels {
    pub provider: String,
    /// Received: `queued`, `duplicate`, `rejected` (bad signature or body)
    /// or `failed` (answered 5xx, to be retried). Applied: `applied`,
    /// `duplicate`, `ignored`, `unmatched` or `failed` (to be retried).
    pub outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct DeliveryLabels {
    pub platform: String,
    /// `delivered`, `retrying` or `failed`.
    pub outcome: String,
}

pub struct Metrics {
    pub commands: Family<CommandLabels, Counter>,
    pub webhooks: Family<WebhookLabels, Counter>,
    pub payment_events: Family<WebhookLabels, Counter>,
    pub deliveries: Family<DeliveryLabels, Counter>,
    /// Effects not yet delivered.
    pub outbox_pending: Gauge,
    /// Seconds the oldest undelivered effect has waited.
    pub outbox_oldest_secs: Gauge,
    /// Payment events stored but not yet applied.
    pub inbox_pending: Gauge,
    /// Seconds the oldest of them has waited.
    pub inbox_oldest_secs: Gauge,
    registry: Registry,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("lyceum");
        let commands = Family::<CommandLabels, Counter>::default();
        let webhooks = Family::<WebhookLabels, Counter>::default();
        let payment_events = Family::<WebhookLabels, Counter>::default();
        let deliveries = Family::<DeliveryLabels, Counter>::default();
        let outbox_pending = Gauge::default();
        let outbox_oldest_secs = Gauge::default();
        let inbox_pending = Gauge::default();
        let inbox_oldest_secs = Gauge::default();
        registry.register(
            "commands",
            "Commands handled, by command and outcome",
            commands.clone(),
        );
        registry.register(
            "webhooks",
            "Payment events received, by provider and outcome",
            webhooks.clone(),
        );
        registry.register(
            "deliveries",
            "Outbox deliveries to platforms, by platform and outcome",
            deliveries.clone(),
        );
        registry.register(
            "outbox_pending",
            "Effects waiting in the outbox",
            outbox_pending.clone(),
        );
        registry.register(
            "outbox_oldest_seconds",
            "How long the oldest waiting effect has waited",
            outbox_oldest_secs.clone(),
        );
        registry.register(
            "payment_events",
            "Payment events applied from the inbox or a platform, by provider and outcome",
            payment_events.clone(),
        );
        registry.register(
            "inbox_pending",
            "Payment events received but not yet applied",
            inbox_pending.clone(),
        );
        registry.register(
            "inbox_oldest_seconds",
            "How long the oldest unapplied payment event has waited",
            inbox_oldest_secs.clone(),
        );
        Metrics {
            commands,
            webhooks,
            payment_events,
            deliveries,
            outbox_pending,
            outbox_oldest_secs,
            inbox_pending,
            inbox_oldest_secs,
            registry,
        }
    }
}

impl Metrics {
    pub fn command(&self, command: &str, outcome: &str) {
        self.commands
            .get_or_create(&CommandLabels {
                command: command.to_owned(),
                outcome: outcome.to_owned(),
            })
            .inc();
    }

    pub fn webhook(&self, provider: &str, outcome: &str) {
        self.webhooks
            .get_or_create(&WebhookLabels {
                provider: provider.to_owned(),
                outcome: outcome.to_owned(),
            })
            .inc();
    }

    pub fn applied(&self, provider: &str, outcome: &str) {
        self.payment_events
            .get_or_create(&WebhookLabels {
                provider: provider.to_owned(),
                outcome: outcome.to_owned(),
            })
            .inc();
    }

    pub fn delivery(&self, platform: &str, outcome: &str) {
        self.deliveries
            .get_or_create(&DeliveryLabels {
                platform: platform.to_owned(),
                outcome: outcome.to_owned(),
            })
            .inc();
    }

    /// Everything in the OpenMetrics text format.
    pub fn render(&self) -> String {
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_render_with_their_labels() {
        let m = Metrics::default();
        m.command("points", "ok");
        m.command("points", "ok");
        m.webhook("stripe", "rejected");
        m.outbox_pending.set(3);
        let text = m.render();
        assert!(
            text.contains("lyceum_commands_total{command=\"points\",outcome=\"ok\"} 2"),
            "{text}"
        );
        assert!(
            text.contains("lyceum_webhooks_total{provider=\"stripe\",outcome=\"rejected\"} 1"),
            "{text}"
        );
        assert!(text.contains("lyceum_outbox_pending 3"), "{text}");
        assert!(text.ends_with("# EOF\n"));
    }
}
