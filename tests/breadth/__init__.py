"""Tests of the breadth ops (issue 11): each module holds expressions run under both libraries."""
