"""Products both ways: finding changes, export to Magento, import into Odoo."""
