"""Clients speak to Magento and Odoo over HTTP; only errors from `errors.py` escape them."""
