"""Import Markdown posts with front matter as Jekyll, Hugo and Pelican write them.

``frontmatter`` reads one file into a ``MarkdownSource``; ``load`` checks a
whole folder and writes it in one transaction (``import_markdown``).
"""
