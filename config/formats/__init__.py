"""Date and number formats of the site's languages, where Django's differ from
how Vietnamese is written (``FORMAT_MODULE_PATH``)."""
