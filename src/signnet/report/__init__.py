"""The milestone report: figures (PNG), a document model, and its Markdown and PDF renderings."""
