"""Class lists in: roster files, preview and apply, pupil accounts, login cards."""
