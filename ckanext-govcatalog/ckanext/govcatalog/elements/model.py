"""Tables of the data-element register, made by migration 0004_data_elements.

An element row is never removed: a deleted element keeps its row (``deleted`` set) so that its id
and identifier are never handed out again and its versions stay readable. Every change writes a
version row holding the element's whole state after the change.
"""

from __future__ import annotations

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB


class DataElement(tk.BaseModel):
    """One data element (数据元), its current version."""

    __tablename__ = "govcatalog_data_element"
    id = sa.Column(sa.UnicodeText, primary_key=True)  # DE00001
    name = sa.Column(sa.UnicodeText, nullable=False)  # 中文名称
    identifier = sa.Column(sa.UnicodeText, nullable=False, unique=True)  # 标识符
    synonyms = sa.Column(JSONB, nullable=False, default=list)  # 同义名称
    definition = sa.Column(sa.UnicodeText)
    object_class = sa.Column(sa.UnicodeText)  # 对象类
    property = sa.Column(sa.UnicodeText)  # 特性
    representation = sa.Column(sa.UnicodeText)  # 表示
    data_type = sa.Column(sa.UnicodeText, nullable=False)  # 数据类型
    format = sa.Column(sa.UnicodeText, nullable=False)  # 表示格式
    value_rule = sa.Column(sa.UnicodeText)  # 值域: a named rule ...
    code_table = sa.Column(sa.UnicodeText)  # ... or a code table
    source_org = sa.Column(sa.UnicodeText)  # 数源部门 (organization id)
    personal_info = sa.Column(sa.Boolean, nullable=False, default=False)
    sensitive_personal_info = sa.Column(sa.Boolean, nullable=False, default=False)
    data_grade = sa.Column(sa.UnicodeText, nullable=False)
    status = sa.Column(sa.UnicodeText, nullable=False)
    replaced_by = sa.Column(sa.UnicodeText)  # the element to use instead of a deprecated one
    version = sa.Column(sa.Integer, nullable=False)
    created = sa.Column(sa.DateTime, nullable=False)
    modified = sa.Column(sa.DateTime, nullable=False)
    deleted = sa.Column(sa.DateTime)


class DataElementVersion(tk.BaseModel):
    """The state of an element after one change (create, update, delete)."""

    __tablename__ = "govcatalog_data_element_version"
    element_id = sa.Column(
        sa.UnicodeText, sa.ForeignKey("govcatalog_data_element.id"), primary_key=True
    )
    version = sa.Column(sa.Integer, primary_key=True)
    created = sa.Column(sa.DateTime, nullable=False)
    actor = sa.Column(sa.UnicodeText)
    change = sa.Column(sa.UnicodeText, nullable=False)
    changed_fields = sa.Column(JSONB, nullable=False, default=list)
    data = sa.Column(JSONB, nullable=False)


class DataElementName(tk.BaseModel):
    """A name or synonym of a live element, by its folded form: one element per name."""

    __tablename__ = "govcatalog_data_element_name"
    key = sa.Column(sa.UnicodeText, primary_key=True)
    element_id = sa.Column(
        sa.UnicodeText, sa.ForeignKey("govcatalog_data_element.id"), nullable=False
    )
    name = sa.Column(sa.UnicodeText, nullable=False)
