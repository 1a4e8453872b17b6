"""Our U-Net: the course's body as the encoder, and a decoder that climbs back."""

import math

import torch
from torch import nn

from onebyone.fcn import conv_block, encode, encoder


def init_like_the_paper(model):
    """Draw every convolution's weights from N(0, 2/N), N the inputs of one output."""
    for layer in model.modules():
        if isinstance(layer, nn.ConvTranspose2d):  # kernel = stride: no overlaps
            fan_in = layer.in_channels
        elif isinstance(layer, nn.Conv2d):
            fan_in = layer.in_channels // layer.groups * math.prod(layer.kernel_size)
        else:
            continue
        nn.init.normal_(layer.weight, 0.0, math.sqrt(2 / fan_in))
        if layer.bias is not None:
            nn.init.zeros_(layer.bias)


# %%
class UNet(nn.Module):
    """A small U-Net: the course's body as the encoder, and a decoder."""

    def __init__(self, num_classes, widths=(8, 16, 32, 64), top_width=32, shares=None):
        super().__init__()
        self.stages = encoder(widths)  # the course's body (onebyone/fcn.py)
        outputs = [*widths[-2:0:-1], top_width]  # each decoder level's channels
        inputs = [widths[-1], *outputs[:-1]]  # what each up-convolution receives
        self.upsamplers = nn.ModuleList(
            nn.ConvTranspose2d(c, c // 2, kernel_size=2, stride=2) for c in inputs
        )
        self.decoder = nn.ModuleList(
            conv_block(skip + c // 2, out)  # two 3×3 convs (chapter 6's helper)
            for skip, c, out in zip(widths[-2::-1], inputs, outputs, strict=True)
        )
        self.classifier = nn.Conv2d(top_width, num_classes, 1)
        init_like_the_paper(self)
        if shares is not None:  # start by predicting the class shares
            with torch.no_grad():
                self.classifier.bias.copy_(shares.log())

    def decode(self, features):
        """Class scores at the input size, from the encoder's feature maps."""
        x = features[-1]  # (N, 64, H/8, W/8)
        for upsampler, block, skip in zip(
            self.upsamplers, self.decoder, features[-2::-1], strict=True
        ):
            x = upsampler(x)  # twice the size, half the channels
            x = block(torch.cat([skip, x], dim=1))  # concatenate, then convolve
        return self.classifier(x)  # (N, num_classes, H, W)

    def forward(self, x):
        return self.decode(encode(self.stages, x))  # strides 1, 2, 4 and 8
