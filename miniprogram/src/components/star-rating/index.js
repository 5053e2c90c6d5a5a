// Five large stars. Tapping one sets the score and tells the page (event "change", {value}).
const LABELS = ['', '很差', '较差', '一般', '满意', '非常满意'];

Component({
  properties: {
    value: { type: Number, value: 0 },
    readonly: { type: Boolean, value: false },
  },
  data: { stars: [1, 2, 3, 4, 5], labels: LABELS },
  methods: {
    choose(event) {
      if (this.data.readonly) return;
      const value = Number(event.currentTarget.dataset.value);
      this.setData({ value });
      this.triggerEvent('change', { value });
    },
  },
});
