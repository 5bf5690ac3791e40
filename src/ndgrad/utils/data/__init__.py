"""ndgrad.utils.data: datasets, samplers and the DataLoader, as ``torch.utils.data``."""

from __future__ import annotations

from ..._namespace import public_dir
from ._more import (
    ChainDataset,
    DistributedSampler,
    StackDataset,
    WeightedRandomSampler,
    get_worker_info,
)
from .dataloader import DataLoader, default_collate, default_convert
from .dataset import ConcatDataset, Dataset, IterableDataset, Subset, TensorDataset, random_split
from .sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler, SubsetRandomSampler

__all__ = [
    "BatchSampler",
    "ChainDataset",
    "ConcatDataset",
    "DataLoader",
    "Dataset",
    "DistributedSampler",
    "IterableDataset",
    "RandomSampler",
    "Sampler",
    "SequentialSampler",
    "StackDataset",
    "Subset",
    "SubsetRandomSampler",
    "TensorDataset",
    "WeightedRandomSampler",
    "default_collate",
    "default_convert",
    "get_worker_info",
    "random_split",
]
__dir__ = public_dir(__name__)
