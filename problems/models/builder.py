"""Build layer graphs from architecture definitions by shape inference.

Counting conventions (MODEL.md section 2): `flops` counts one multiply-add as one operation;
pooling counts one operation per window element, LRN one per element and window channel,
concat and add one per output element. Tensors and weights are float32. ReLU is fused into
the layer before it; batch normalisation is folded into its convolution and contributes its
two trainable parameters (scale and shift) per channel.
"""

from __future__ import annotations

import math

import attrs

from eosdnn.problems.models.graph import DnnModel, Layer
from eosdnn.problems.models.ops import conv_ops, dense_ops, elementwise_ops, lrn_ops, pool_ops

FLOAT_BYTES = 4

Shape = tuple[int, int, int]  # channels, height, width


def _out_size(size: int, kernel: int, stride: int, pad: int, ceil: bool) -> int:
    span = size + 2 * pad - kernel
    steps = math.ceil(span / stride) if ceil else span // stride
    out = steps + 1
    if ceil and pad and (out - 1) * stride >= size + pad:
        out -= 1  # the last window must start inside the input (Caffe/PyTorch rule)
    return out


@attrs.define
class ArchitectureBuilder:
    """Accumulates layers; each method infers the output shape and returns the layer's name."""

    name: str
    input_shape: Shape = (3, 224, 224)
    layers: list[Layer] = attrs.field(factory=list)
    shapes: dict[str, Shape] = attrs.field(factory=dict)
    module: str | None = None

    def _shape(self, source: str | None) -> Shape:
        return self.input_shape if source is None else self.shapes[source]

    def _add(self, name: str, sources: list[str | None], shape: Shape, flops: float, params: int) -> str:
        inputs = tuple(s for s in sources if s is not None)
        elements = shape[0] * shape[1] * shape[2]
        self.layers.append(
            Layer(name, float(flops), float(elements * FLOAT_BYTES), float(params * FLOAT_BYTES), inputs, self.module)
        )
        self.shapes[name] = shape
        return name

    def conv(self, name: str, source: str | None, channels: int, kernel: int, stride: int = 1, pad: int = 0,
             *, batch_norm: bool = False) -> str:
        c, h, w = self._shape(source)
        oh, ow = _out_size(h, kernel, stride, pad, False), _out_size(w, kernel, stride, pad, False)
        macs = conv_ops(channels, c, kernel, kernel, oh, ow)
        params = channels * c * kernel * kernel + (2 * channels if batch_norm else channels)
        return self._add(name, [source], (channels, oh, ow), macs, params)

    def pool(self, name: str, source: str | None, kernel: int, stride: int, pad: int = 0, *, ceil: bool = False) -> str:
        c, h, w = self._shape(source)
        oh, ow = _out_size(h, kernel, stride, pad, ceil), _out_size(w, kernel, stride, pad, ceil)
        return self._add(name, [source], (c, oh, ow), pool_ops(c, oh, ow, kernel, kernel), 0)

    def global_pool(self, name: str, source: str) -> str:
        c, h, w = self._shape(source)
        return self._add(name, [source], (c, 1, 1), pool_ops(c, 1, 1, h, w), 0)

    def lrn(self, name: str, source: str, size: int = 5) -> str:
        shape = self._shape(source)
        return self._add(name, [source], shape, lrn_ops(shape[0] * shape[1] * shape[2], size), 0)

    def fc(self, name: str, source: str, outputs: int) -> str:
        c, h, w = self._shape(source)
        inputs = c * h * w
        return self._add(name, [source], (outputs, 1, 1), dense_ops(inputs, outputs), inputs * outputs + outputs)

    def concat(self, name: str, sources: list[str]) -> str:
        shapes = [self._shape(s) for s in sources]
        _, h, w = shapes[0]
        channels = sum(s[0] for s in shapes)
        return self._add(name, list(sources), (channels, h, w), elementwise_ops(channels * h * w), 0)

    def add(self, name: str, sources: list[str]) -> str:
        shape = self._shape(sources[0])
        return self._add(name, list(sources), shape, elementwise_ops(shape[0] * shape[1] * shape[2]), 0)

    def build(self) -> DnnModel:
        c, h, w = self.input_shape
        return DnnModel(self.name, float(c * h * w * FLOAT_BYTES), tuple(self.layers))
