"""Operation counts per layer kind (MODEL.md section 2), the one home of the formulas that the
built-in architectures and the ONNX importer share: one multiply-add counts as one operation;
pooling counts one operation per window element, LRN one per element and window channel, concat,
add and softmax one per output element."""

from __future__ import annotations


def conv_ops(out_channels: int, in_channels_per_group: int, kernel_h: int, kernel_w: int, out_h: int,
             out_w: int) -> int:
    """Multiply-adds of a convolution: every output element reads its group's window."""
    return out_h * out_w * out_channels * in_channels_per_group * kernel_h * kernel_w


def dense_ops(inputs: int, outputs: int) -> int:
    """Multiply-adds of a fully connected layer (Gemm, MatMul with a constant matrix)."""
    return inputs * outputs


def pool_ops(channels: int, out_h: int, out_w: int, kernel_h: int, kernel_w: int) -> int:
    """One operation per element of every window."""
    return channels * out_h * out_w * kernel_h * kernel_w


def lrn_ops(elements: int, size: int) -> int:
    """One operation per element and channel of its window."""
    return elements * size


def elementwise_ops(elements: int) -> int:
    """Concat, add, softmax: one operation per output element."""
    return elements
