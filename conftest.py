"""Root conftest: the project root is the rootdir of every pytest run."""
