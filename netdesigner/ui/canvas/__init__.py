"""The node canvas: a QGraphicsScene that follows the Graph document."""
