"""Event endpoints: Magento tells Bridge that something changed, Bridge queues the sync."""
