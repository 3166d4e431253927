"""The data-element register (数据元, after ISO/IEC 11179 / GB/T 18391 and GB/T 19488): elements
with their synonyms, representation, value domain and history (register.py), binding suggestions
for data-item names (suggest.py), and the register's actions, pages and CLI."""
