"""Bridge: keeps a Magento 2 store and an Odoo database in step."""

__version__ = "0.1.0"
