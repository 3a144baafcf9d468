"""Results domain: owns bout outcomes and publishes the ``bout-results`` data product."""
