"""Stock both ways: free quantities to Magento sources, Magento quantities to Odoo counts."""
